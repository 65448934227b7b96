package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static dev.ferry.store.IndexDescriptor.*;

/**
 * The index of one persistence id (layout in {@link IndexDescriptor}): its mapped index segments, its highest
 * sequence nr and its deleted-to mark, which the {@code meta} file keeps durable (four longs + CRC32C, replaced
 * atomically) because deletes and truncation may remove the entries that would otherwise tell; it also remembers
 * the last truncation so a recovery scan that starts before it cannot bring truncated records back. An index that
 * lost files is rebuilt from the commit log at open ({@link IndexSummary}, {@link #resetForRebuild}, {@link #fillHolesTo}).
 *
 * <p>Threading: mutators ({@code append}, {@code putRecovered}, {@code deleteTo}, {@code truncateAfter},
 * {@code reclaimBelow}) run under the store's writer lock. Readers call {@link #highest}, {@link #deletedTo},
 * {@link #position}, {@link #size}, {@link #tagHash} and {@link #firstAtOrAfter} from any thread: the writer
 * fills an entry before it publishes the new highest (volatile), and readers only look at entries up to the
 * highest they read. Mappings are dropped, never unmapped, so a reader holding one stays safe.
 */
final class QueueIndex {

    static final String ID_FILE = "id";
    static final String META_FILE = "meta";
    /** deleted-to, highest, truncate offset, truncate keep (8 each), CRC32C (4). */
    static final int META_LENGTH = 36;
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}");

    private final String persistenceId;
    private final byte[] idBytes;
    private final Path dir;
    private final int entriesPerFile;
    private final ConcurrentSkipListMap<Long, MappedByteBuffer> segments = new ConcurrentSkipListMap<>();
    private volatile long highest;
    private volatile long deletedTo;
    /** The last truncation: records below this commit-log offset with a sequence nr above truncateKeep are gone. */
    private long truncateOffset;
    private long truncateKeep;
    /** The highest sequence nr the meta file holds (a floor for {@link #highest} when the entries cannot tell). */
    private long metaHighest;
    /** Told when an index file is created or deleted, so the next checkpoint rewrites the {@link IndexSummary}. */
    private Runnable structureListener = () -> { };

    /** Bytes of zeros written ahead of the newest entry in one go ({@link #fillAhead}): 2,048 entries. */
    static final int FILL_AHEAD = 32 << 10;
    /** Writer-only: the index segment whose pages {@code [0, filledTo)} are in the page cache, or -1. */
    private long filledSegment = -1;
    private int filledTo;

    /** Writer-only: queued for the next checkpoint's force. */
    boolean dirty;
    /** Writer-only: a segment file was created since the last checkpoint, so the directory needs a force too. */
    boolean grew;
    /** Writer-only scratch for validating a group: the group being checked and the highest seq seen in it. */
    long groupStamp = -1;
    long groupHighest;

    private QueueIndex(String persistenceId, byte[] idBytes, Path dir, int entriesPerFile) {
        this.persistenceId = persistenceId;
        this.idBytes = idBytes;
        this.dir = dir;
        this.entriesPerFile = entriesPerFile;
    }

    /** Creates the directory of a new index and writes its id file (made durable by the next checkpoint). */
    static QueueIndex create(Path dir, String persistenceId, byte[] idBytes, int entriesPerFile) throws IOException {
        Files.createDirectory(dir);
        Files.write(dir.resolve(ID_FILE), idBytes);
        return new QueueIndex(persistenceId, idBytes, dir, entriesPerFile);
    }

    /** Reads the id stored in an index directory, or null if it has none (a directory torn before its id was durable). */
    static byte[] readId(Path dir) throws IOException {
        Path id = dir.resolve(ID_FILE);
        return Files.exists(id) ? Files.readAllBytes(id) : null;
    }

    /** Opens an existing index: maps its segments, reads meta, finds the highest written entry. */
    static QueueIndex open(Path dir, String persistenceId, byte[] idBytes, int entriesPerFile) throws IOException {
        QueueIndex index = new QueueIndex(persistenceId, idBytes, dir, entriesPerFile);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (SEGMENT_NAME.matcher(name).matches()) {
                    long start = Long.parseLong(name);
                    // size 0: a crash between creating and sizing it; it never held an entry, map() sizes it
                    if (Files.size(p) != 0 && Files.size(p) != (long) entriesPerFile * ENTRY_LENGTH) {
                        throw new IOException("index segment " + p + " is " + Files.size(p) + " bytes, expected "
                                + (long) entriesPerFile * ENTRY_LENGTH + " (index-entries-per-file must not change on an existing store)");
                    }
                    index.segments.put(start, map(p, entriesPerFile));
                }
            }
        }
        long[] meta = readMeta(dir.resolve(META_FILE));
        index.deletedTo = meta[0];
        index.metaHighest = meta[1];
        index.highest = Math.max(meta[1], index.tail());
        index.truncateOffset = meta[2];
        index.truncateKeep = meta[3];
        return index;
    }

    private static final int FIRST_PAGE = 4096;

    private static MappedByteBuffer map(Path path, int entriesPerFile) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = (long) entriesPerFile * ENTRY_LENGTH;
            boolean fresh = ch.size() < size;
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, size); // sizes a new file (sparse)
            if (fresh) {
                // The first write fault on a new file's mapping costs ms here (the block allocation is journaled in the
                // fault); a write() of its first page allocates it cheaply and leaves the same zeros behind.
                ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, FIRST_PAGE));
                while (zeros.hasRemaining()) ch.write(zeros, zeros.position());
            }
            b.order(SegmentDescriptor.ORDER);
            return b;
        }
    }

    /** The highest written sequence nr per the entries: the last non-zero entry of the newest segment that has one. */
    private long tail() {
        for (var e : segments.descendingMap().entrySet()) {
            int written = writtenPrefix(e.getValue());
            if (written > 0) {
                return e.getKey() + written - 1;
            }
        }
        return 0;
    }

    /** Entries in a segment are written as a prefix; binary search for its length. */
    private int writtenPrefix(MappedByteBuffer b) {
        int lo = 0;
        int hi = entriesPerFile; // first zero entry is in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (b.getInt(mid * ENTRY_LENGTH + SIZE_OFFSET) != 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    String persistenceId() {
        return persistenceId;
    }

    byte[] idBytes() {
        return idBytes;
    }

    Path dir() {
        return dir;
    }

    long highest() {
        return highest;
    }

    long deletedTo() {
        return deletedTo;
    }

    /**
     * The most recently used segment, so the hot path (appends, sequential reads) skips the map and its boxing.
     * Valid only while no segment was dropped since it was looked up (a reader may cache a segment the writer is
     * dropping; the generation, bumped after every removal and read before every lookup, exposes that).
     */
    private record Recent(long start, MappedByteBuffer buffer, long generation) {
    }

    private volatile Recent recent;
    private volatile long generation;

    private MappedByteBuffer segmentFor(long seq) {
        long start = segmentStart(seq, entriesPerFile);
        Recent r = recent;
        long g = generation;
        if (r != null && r.start() == start && r.generation() == g) {
            return r.buffer();
        }
        MappedByteBuffer b = segments.get(start);
        if (b != null) {
            recent = new Recent(start, b, g);
        }
        return b;
    }

    /**
     * Makes sure the segment for {@code seq} exists and, for a new entry, that the pages it and the next entries go
     * to are in the page cache (before any record of a group is written). Writer only.
     */
    void ensureSegment(long seq) throws IOException {
        long start = segmentStart(seq, entriesPerFile);
        Recent r = recent;
        if ((r == null || r.start() != start || r.generation() != generation) && !segments.containsKey(start)) {
            segments.put(start, map(dir.resolve(SegmentDescriptor.fileName(start)), entriesPerFile));
            grew = true;
            structureListener.run();
            filledSegment = -1;
        }
        if (seq > highest) {
            fillAhead(start, entryPosition(seq, entriesPerFile) + ENTRY_LENGTH);
        }
    }

    /**
     * Writes zeros with {@code write()} into the pages just past the entry that ends at {@code needed}, so the
     * mapping's writes land on pages already in the page cache. A write fault on a page that is not (the sparse rest
     * of an index file) reads it in, and the kernel reads around the fault: up to {@code read_ahead_kb} of the file
     * (8 MiB on our build machine) is zero-filled for each such fault, and with a thousand ids that was 55 % of the
     * CPU of a journal benchmark (7-25k events/s instead of 118k). Only pages past {@code needed} are written, and
     * they hold entries above {@code seq > highest}: none written yet, none read by anyone.
     */
    private void fillAhead(long start, int needed) throws IOException {
        int fileSize = entriesPerFile * ENTRY_LENGTH;
        if (start == filledSegment && filledTo >= Math.min(fileSize, needed + StoreConfig.PAGE_SIZE)) {
            return;
        }
        int from = (needed + StoreConfig.PAGE_SIZE - 1) & -StoreConfig.PAGE_SIZE;
        if (start == filledSegment) {
            from = Math.max(from, filledTo);
        }
        int to = Math.min(fileSize, from + FILL_AHEAD);
        if (from < to) {
            Path file = dir.resolve(SegmentDescriptor.fileName(start));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocate(to - from);
                while (zeros.hasRemaining()) {
                    ch.write(zeros, from + zeros.position());
                }
            }
        }
        filledSegment = start;
        filledTo = Math.max(to, needed);
    }

    /**
     * Adds the entry for a new record, filling any gap since the highest with holes. Writer only; the segment
     * must exist ({@link #ensureSegment}). Publishes the new highest.
     */
    void append(long seq, long offset, int size, int tagHash) {
        MappedByteBuffer b = segmentFor(seq);
        long start = segmentStart(seq, entriesPerFile);
        for (long s = Math.max(highest + 1, start); s < seq; s++) {
            put(b, s, offset, HOLE_SIZE, 0);
        }
        put(b, seq, offset, size, tagHash);
        highest = seq;
    }

    private void put(MappedByteBuffer b, long seq, long offset, int size, int tagHash) {
        int p = entryPosition(seq, entriesPerFile);
        b.putLong(p + POSITION_OFFSET, offset);
        b.putInt(p + TAG_HASH_OFFSET, tagHash);
        b.putInt(p + SIZE_OFFSET, size);
    }

    /** Recovery re-dispatch: (re)writes the entry of a record found by the scan. Single-threaded. */
    void putRecovered(long seq, long offset, int size, int tagHash) throws IOException {
        if (seq <= deletedTo || (offset < truncateOffset && seq > truncateKeep)) {
            return; // deleted, or cut by truncateAfter (in case the scan starts before that truncation)
        }
        ensureSegment(seq);
        if (seq > highest) {
            append(seq, offset, size, tagHash);
        } else {
            put(segmentFor(seq), seq, offset, size, tagHash);
        }
    }

    /** @return the commit-log offset of entry {@code seq}, valid only when {@link #size} is &gt; 0 */
    long position(long seq) {
        MappedByteBuffer b = segmentFor(seq);
        return b == null ? -1 : b.getLong(entryPosition(seq, entriesPerFile) + POSITION_OFFSET);
    }

    /** @return the record size of entry {@code seq}: &gt; 0 present, 0 unwritten or reclaimed, -1 hole */
    int size(long seq) {
        MappedByteBuffer b = segmentFor(seq);
        return b == null ? 0 : b.getInt(entryPosition(seq, entriesPerFile) + SIZE_OFFSET);
    }

    int tagHash(long seq) {
        MappedByteBuffer b = segmentFor(seq);
        return b == null ? 0 : b.getInt(entryPosition(seq, entriesPerFile) + TAG_HASH_OFFSET);
    }

    /**
     * @return the lowest sequence nr above deleted-to whose entry points at or after {@code offset}, or highest + 1
     */
    long firstAtOrAfter(long offset) {
        long floor = deletedTo;
        long top = highest;
        for (var e : segments.entrySet()) {
            long start = e.getKey();
            MappedByteBuffer b = e.getValue();
            int written = writtenPrefix(b);
            if (written == 0 || start + written - 1 <= floor) {
                continue;
            }
            if (b.getLong((written - 1) * ENTRY_LENGTH + POSITION_OFFSET) < offset) {
                continue;
            }
            int lo = (int) Math.max(0, floor + 1 - start);
            int hi = written - 1; // entry hi qualifies
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (b.getLong(mid * ENTRY_LENGTH + POSITION_OFFSET) >= offset) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return Math.min(start + lo, top + 1);
        }
        return top + 1;
    }

    /** Durably raises deleted-to to min(toSeq, highest) and reclaims segments wholly below it. Writer only. */
    int deleteTo(long toSeq) throws IOException {
        long target = Math.min(toSeq, highest);
        if (target <= deletedTo) {
            return 0;
        }
        writeMeta(target, highest, truncateOffset, truncateKeep);
        deletedTo = target;
        int reclaimed = 0;
        for (var e : new ArrayList<>(segments.headMap(segmentStart(target + 1, entriesPerFile)).entrySet())) {
            reclaimed += dropSegment(e.getKey());
        }
        return reclaimed;
    }

    /**
     * Removes every entry above {@code lastKept} and sets highest to it, durably for the meta file and the
     * touched index segment (the caller checkpoints so recovery does not re-add them). Writer only.
     *
     * @return how many entries were removed
     */
    long truncateAfter(long lastKept, long logEndOffset) throws IOException {
        long top = highest;
        if (lastKept >= top) {
            return 0;
        }
        long keep = Math.max(lastKept, 0);
        writeMeta(Math.min(deletedTo, keep), keep, logEndOffset, keep);
        truncateOffset = logEndOffset;
        truncateKeep = keep;
        long removed = 0;
        // Only the segment holding keep + 1 is edited entry by entry; later segments go whole.
        long editEnd = Math.min(top, segmentStart(keep + 1, entriesPerFile) + entriesPerFile - 1);
        for (long s = keep + 1; s <= editEnd; s++) {
            MappedByteBuffer b = segmentFor(s);
            if (b != null && b.getInt(entryPosition(s, entriesPerFile) + SIZE_OFFSET) != 0) {
                put(b, s, 0, 0, 0);
                removed++;
            }
        }
        boolean dropped = false;
        for (long start : new ArrayList<>(segments.tailMap(segmentStart(keep + 1, entriesPerFile), true).keySet())) {
            if (start > keep) {
                dropped |= dropSegment(start) > 0;
            }
        }
        force();
        if (dropped) {
            // a dropped file that came back after a power loss would raise highest above keep again on open
            CommitLog.forceDirectory(dir);
        }
        deletedTo = Math.min(deletedTo, keep);
        highest = keep;
        return removed;
    }

    /**
     * Recovery: removes entries (from the top) that point at or beyond the end of the valid commit log.
     *
     * @return how many were removed
     */
    long removeEntriesFrom(long endOffset) {
        long removed = 0;
        long s = highest;
        while (s > 0) {
            MappedByteBuffer b = segmentFor(s);
            if (b == null) {
                break;
            }
            int p = entryPosition(s, entriesPerFile);
            int size = b.getInt(p + SIZE_OFFSET);
            if (size == 0 || b.getLong(p + POSITION_OFFSET) < endOffset) {
                break;
            }
            put(b, s, 0, 0, 0);
            removed++;
            s--;
        }
        if (removed > 0) {
            highest = Math.max(s, tail());
        }
        return removed;
    }

    /**
     * Retention: drops index segments (never the newest) whose every entry points below {@code offset}. Writer only.
     *
     * @return how many files were deleted
     */
    int reclaimBelow(long offset) throws IOException {
        int reclaimed = 0;
        List<Long> starts = new ArrayList<>(segments.keySet());
        for (int i = 0; i < starts.size() - 1; i++) {
            MappedByteBuffer b = segments.get(starts.get(i));
            int written = writtenPrefix(b);
            if (written > 0 && b.getLong((written - 1) * ENTRY_LENGTH + POSITION_OFFSET) >= offset) {
                break;
            }
            reclaimed += dropSegment(starts.get(i));
        }
        return reclaimed;
    }

    private int dropSegment(long start) throws IOException {
        if (segments.remove(start) == null) {
            return 0;
        }
        generation++; // writer lock: single writer of this field
        recent = null;
        structureListener.run();
        Files.deleteIfExists(dir.resolve(SegmentDescriptor.fileName(start)));
        return 1;
    }

    /** Forces every mapped segment. Checkpoint thread; safe alongside the writer (it only flushes pages). */
    void force() {
        for (MappedByteBuffer b : segments.values()) {
            b.force();
        }
    }

    /** Forces the id file and this directory (a new index's entry in the index root is forced by the caller). */
    void forceCreation() throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve(ID_FILE), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        CommitLog.forceDirectory(dir);
    }

    private void writeMeta(long deletedTo, long highest, long truncateOffset, long truncateKeep) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(META_LENGTH).order(SegmentDescriptor.ORDER);
        b.putLong(0, deletedTo).putLong(8, highest).putLong(16, truncateOffset).putLong(24, truncateKeep);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 32);
        b.putInt(32, (int) crc.getValue());
        AtomicFile.replace(dir, META_FILE, b);
    }

    /** @return {deletedTo, highest, truncateOffset, truncateKeep}, zeros when absent; a damaged file is an error, never guessed around */
    private static long[] readMeta(Path path) throws IOException {
        if (!Files.exists(path)) {
            return new long[] {0, 0, 0, 0};
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(SegmentDescriptor.ORDER);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, Math.min(32, b.capacity()));
        if (b.capacity() != META_LENGTH || (int) crc.getValue() != b.getInt(32)) {
            throw new IOException("index meta file " + path + " is damaged (size " + b.capacity() + " or CRC); it holds the deleted-to mark, restore it or remove the index directory to rebuild from the commit log");
        }
        return new long[] {b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24)};
    }

    void structureListener(Runnable listener) {
        structureListener = listener;
    }

    long truncateOffset() {
        return truncateOffset;
    }

    long metaHighest() {
        return metaHighest;
    }

    /** @return how many index files the index has */
    int fileCount() {
        return segments.size();
    }

    /** @return the first sequence nr of the oldest index file, 0 when there is none */
    long firstFileStart() {
        return segments.isEmpty() ? 0 : segments.firstKey();
    }

    /** @return the first sequence nr of the newest index file, 0 when there is none */
    long lastFileStart() {
        return segments.isEmpty() ? 0 : segments.lastKey();
    }

    /** @return whether the index files follow each other without a missing file between the oldest and the newest */
    boolean filesContiguous() {
        long expected = -1;
        for (long start : segments.keySet()) {
            if (expected >= 0 && start != expected) {
                return false;
            }
            expected = start + entriesPerFile;
        }
        return true;
    }

    /**
     * Rebuild: deletes every index file and forgets the highest sequence nr, so the commit-log scan that follows
     * writes every entry afresh (deleted-to and the last truncation, kept in the meta file, still apply). Recovery
     * only (single-threaded, before anyone reads).
     */
    void resetForRebuild() throws IOException {
        for (long start : new ArrayList<>(segments.keySet())) {
            dropSegment(start);
        }
        filledSegment = -1;
        highest = 0;
    }

    /**
     * Rebuild: raises the highest sequence nr to {@code target} when the commit log no longer holds the records up to
     * it (retention took them, or the meta file or the index summary knows a higher one), writing holes for
     * {@code target}'s index file from the current highest on, so the written entries of the newest file stay a
     * contiguous prefix. {@code offset} is at or above every record indexed so far (holes keep offsets non-decreasing).
     */
    void fillHolesTo(long target, long offset) throws IOException {
        if (target <= highest) {
            return;
        }
        ensureSegment(target);
        MappedByteBuffer b = segmentFor(target);
        for (long s = Math.max(highest + 1, segmentStart(target, entriesPerFile)); s <= target; s++) {
            put(b, s, offset, HOLE_SIZE, 0);
        }
        highest = target;
    }

    /** For tests: the segment files currently mapped, by first sequence nr. */
    Map<Long, MappedByteBuffer> segmentsForTesting() {
        return segments;
    }
}
