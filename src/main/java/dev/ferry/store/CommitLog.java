package dev.ferry.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * The commit log: the ordered segment files under {@code commitlog/}, one offset space across them
 * (offset = segment base + position in the file), the write position and the flushed position.
 *
 * <p>Threading: {@link #reserve} / {@link #publish} and the segment writes between them are called under the
 * store's writer lock; {@link #force} under the store's flush lock; {@link #removeOldest} under both the flush
 * lock and the retention monitor. {@link #segmentAt}, {@link #writePosition}, {@link #flushedPosition} and
 * {@link #firstOffset} are safe from any thread (volatile positions, concurrent segment map). The allocator's
 * {@link #prepare} / {@link #discardPrepared} and the writer's roll exclude each other on one small monitor, so
 * the next segment's file changes hands atomically; zero-filling uses the lock-free {@link #beginWarming} handshake.
 */
final class CommitLog {

    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}");
    static final String PREPARED_SUFFIX = ".prepared";

    private final Path dir;
    private final int segmentSize;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private volatile long writePosition;
    private volatile long flushedPosition;
    /** Forces done (flush lock; read racily for statistics). */
    private volatile long forces;
    private volatile boolean directoryDirty;
    /** The segment appends go to; written by the writer, read by the allocator. */
    private volatile Segment active;
    /** The next segment, created and zero-filled ahead by the allocator; not part of the log until activated. */
    private volatile Segment prepared;
    /**
     * Guards the hand-over of the next segment: the writer's roll (take {@code prepared}, rename it, make it
     * {@code active}) and the allocator's {@link #prepare} / {@link #discardPrepared} exclude each other. Without it
     * an allocator acting on a stale {@code active} saw {@code prepared == null} mid-roll, deleted the
     * {@code .prepared} file the writer was about to rename and created an empty one in its place: the writer
     * renamed the empty file into the log and went on writing (and forcing) the unlinked one, so a reopen found
     * a segment of zeros in the middle of the log. Never held while waiting for anything else.
     */
    private final Object handOver = new Object();
    /** Test hook: runs during a roll after the prepared segment was taken, before it is renamed. Writer only. */
    private Runnable rollHookForTesting = () -> { };
    /** Writer/allocator handshake (Dekker style): the end of the range the writer is about to write ... */
    private volatile long intendedEnd;
    /** ... and the start of the chunk the allocator is zero-filling, -1 if none. */
    private volatile long warming = -1;

    private CommitLog(Path dir, int segmentSize) {
        this.dir = dir;
        this.segmentSize = segmentSize;
    }

    /**
     * Opens the segments under {@code dir}. Segment size comes from the existing files (all must agree), else from
     * {@code configuredSize}. Positions are set by {@link #startAt} once recovery knows the end.
     *
     * @throws IOException when the segments are not contiguous by their start offsets (a file is missing between two
     *                     others: the message names it), or a segment is damaged
     *
     * @param nowMillis the time stamped into a newest segment's header if it has to be restored
     */
    static CommitLog open(Path dir, long configuredSize, long nowMillis) throws IOException {
        Files.createDirectories(dir);
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (SEGMENT_NAME.matcher(name).matches()) {
                    files.put(Long.parseLong(name), p);
                } else if (name.endsWith(PREPARED_SUFFIX)) {
                    Files.delete(p); // prepared ahead by a previous run, never part of the log
                }
            }
        }
        // A crash between creating a segment file and sizing it leaves a short newest file that never held a
        // record (the writer creates before it writes); drop it.
        while (!files.isEmpty() && Files.size(files.lastEntry().getValue()) < SEGMENT_HEADER_LENGTH + END_OF_SEGMENT_MARKER_LENGTH) {
            Files.delete(files.pollLastEntry().getValue());
        }
        // A newest segment whose header never reached the disk and that holds no record never held anything: it gets
        // a new header (kept, not deleted: the segment before it may already end with a marker naming it as successor).
        // A damaged header anywhere else, or with records after it, is damage and stops the open below.
        if (!files.isEmpty() && Segment.headerLostAndNothingWritten(files.lastEntry().getValue())) {
            Segment.restoreHeader(files.lastEntry().getValue(), files.lastEntry().getKey(), nowMillis);
        }
        int size = (int) configuredSize;
        if (!files.isEmpty()) {
            long existing = Files.size(files.lastEntry().getValue());
            for (Path p : files.values()) {
                if (Files.size(p) != existing) {
                    throw new IOException("commit-log segments under " + dir + " differ in size (" + p.getFileName() + " is "
                            + Files.size(p) + " bytes, the newest is " + existing + "); the store cannot be read");
                }
            }
            size = (int) existing;
        }
        CommitLog log = new CommitLog(dir, size);
        Long previous = null;
        for (var e : files.entrySet()) {
            if (e.getKey() % size != 0) {
                log.close();
                throw new IOException("commit-log segment " + e.getValue() + " does not start on a segment boundary of " + size + " bytes");
            }
            if (previous != null && e.getKey() != previous + size) {
                log.close();
                throw new IOException(gap(dir, previous, e.getKey(), size));
            }
            previous = e.getKey();
            log.segments.put(e.getKey(), Segment.open(e.getValue(), e.getKey()));
        }
        return log;
    }

    /**
     * The refusal of a log whose segments are not contiguous. Retention only removes segments from the front and the
     * writer creates each segment before the marker that leads to it, so a gap is lost files: opening anyway would
     * either serve a log with a hole or cut away every later (surviving) segment, and neither may happen silently.
     */
    private static String gap(Path dir, long before, long after, long size) {
        long missingFrom = before + size;
        String missing = after - missingFrom == size ? "segment " + fileName(missingFrom) + " (commit-log offsets " + missingFrom + " to " + (after - 1) + ") is"
                : "segments " + fileName(missingFrom) + " to " + fileName(after - size) + " (commit-log offsets " + missingFrom + " to " + (after - 1) + ") are";
        return "commit-log segments under " + dir + " are not contiguous: " + fileName(before) + " is followed by " + fileName(after)
                + ", so " + missing + " missing; the store will not open."
                + " Restore the missing file(s); or, to give up every record from offset " + missingFrom + " on, move " + fileName(after)
                + " and every later segment out of " + dir + " and delete the checkpoint file (recovery then cuts the log there and reports it)";
    }

    int segmentSize() {
        return segmentSize;
    }

    Path dir() {
        return dir;
    }

    /** All segments, oldest first (a snapshot). */
    List<Segment> segments() {
        return new ArrayList<>(segments.values());
    }

    /** @return the segment holding {@code offset}, or null if it was deleted or never existed */
    Segment segmentAt(long offset) {
        return segments.get(offset - offset % segmentSize);
    }

    /** @return the segment after {@code segment}, or null */
    Segment next(Segment segment) {
        return segments.get(segment.baseOffset() + segmentSize);
    }

    /** @return the lowest offset still stored (a segment's first record position) */
    long firstOffset() {
        var first = segments.firstEntry();
        return first == null ? 0 : first.getKey() + SEGMENT_HEADER_LENGTH;
    }

    long writePosition() {
        return writePosition;
    }

    long flushedPosition() {
        return flushedPosition;
    }

    long forces() {
        return forces;
    }

    /**
     * Sets where the next record goes, after recovery; creates the first segment of an empty log. Single-threaded
     * (open).
     */
    void startAt(long offset, long nowMillis) throws IOException {
        if (segments.isEmpty()) {
            Segment first = Segment.create(dir.resolve(fileName(0)), 0, segmentSize, nowMillis);
            segments.put(0L, first);
            directoryDirty = true;
            offset = SEGMENT_HEADER_LENGTH;
        }
        active = segments.lastEntry().getValue();
        if (segmentAt(offset) != active) {
            throw new IOException("commit log end " + offset + " is not in the newest segment " + active.path());
        }
        writePosition = offset;
        flushedPosition = offset;
    }

    /**
     * Makes room for {@code length} contiguous bytes in the active segment, rolling to a new one if needed. Writer only.
     *
     * @return the segment to write to; the bytes go at {@link #writePosition()}
     */
    Segment reserve(int length, long nowMillis) throws IOException {
        long from = writePosition;
        int position = (int) (from - active.baseOffset());
        if (position + (long) length + END_OF_SEGMENT_MARKER_LENGTH <= segmentSize) {
            awaitAllocator(from, from + length);
            return active;
        }
        long nextBase = active.baseOffset() + segmentSize;
        awaitAllocator(from, nextBase);
        Segment next;
        synchronized (handOver) {
            // The next file exists before the marker is written, so a marker always has a successor on disk.
            next = prepared;
            Path finalPath = dir.resolve(fileName(nextBase));
            if (next != null && next.baseOffset() == nextBase) {
                prepared = null;
                rollHookForTesting.run();
                next.activate(finalPath, nowMillis);
            } else {
                // Created under the prepared name and renamed, so the final name never shows a half-written header.
                next = Segment.create(dir.resolve(fileName(nextBase) + PREPARED_SUFFIX), nextBase, segmentSize, nowMillis);
                next.activate(finalPath, nowMillis);
            }
            segments.put(next.baseOffset(), next);
            directoryDirty = true;
            active.writeEndMarker(position);
            active.releaseWindow();
            active = next;
            writePosition = next.baseOffset() + SEGMENT_HEADER_LENGTH;
        }
        awaitAllocator(writePosition, writePosition + length);
        return next;
    }

    /** Writer: announces the range it will write and waits while the allocator zero-fills a chunk overlapping it. */
    private void awaitAllocator(long from, long end) {
        intendedEnd = end;
        for (int spins = 0; ; spins++) {
            long w = warming;
            if (w < 0 || w >= end || w + SegmentAllocator.MAX_CHUNK <= from) {
                return;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the allocator needs the core more than we do (2-core machines)
            }
        }
    }

    /**
     * Allocator: claims the chunk starting at {@code start} unless the writer may be at or past it.
     *
     * @return whether the allocator may zero-fill it (then it must call {@link #endWarming} after)
     */
    boolean beginWarming(long start) {
        warming = start;
        if (intendedEnd > start || writePosition > start) {
            warming = -1;
            return false;
        }
        return true;
    }

    void endWarming() {
        warming = -1;
    }

    Segment active() {
        return active;
    }

    Segment prepared() {
        return prepared;
    }

    /**
     * Allocator: creates the next segment under a temporary name, ready for the writer to activate.
     *
     * @return the prepared segment, or null when {@code baseOffset} is no longer the one after the active segment
     *         (the writer rolled since the allocator looked; it must look again)
     */
    Segment prepare(long baseOffset, long nowMillis) throws IOException {
        synchronized (handOver) {
            if (baseOffset != active.baseOffset() + segmentSize) {
                return null;
            }
            Segment old = prepared;
            if (old != null) {
                if (old.baseOffset() == baseOffset) {
                    return old;
                }
                discardPrepared(old);
            }
            Path path = dir.resolve(fileName(baseOffset) + PREPARED_SUFFIX);
            Files.deleteIfExists(path); // a leftover of an earlier attempt; nobody else uses the name now
            Segment s = Segment.create(path, baseOffset, segmentSize, nowMillis);
            prepared = s;
            return s;
        }
    }

    /** Removes a prepared segment the writer no longer needs (it rolled without it, or the store closes). */
    void discardPrepared(Segment s) throws IOException {
        synchronized (handOver) {
            if (prepared != s) {
                return; // the writer took it (it is part of the log now) or it was discarded already
            }
            prepared = null;
            s.close();
            Files.deleteIfExists(s.path());
        }
    }

    /** Test support: {@code hook} runs in each roll between taking the prepared segment and renaming it. */
    void rollHookForTesting(Runnable hook) {
        rollHookForTesting = hook;
    }

    /** Publishes everything written up to {@code end}: readers and the flusher see it from now on. Writer only. */
    void publish(long end) {
        writePosition = end;
    }

    /**
     * Forces every segment between the flushed and the write position, plus the directory when segments were
     * created. Flush lock only.
     *
     * @return the new flushed position
     * @throws IOException the failure of the force; nothing is marked flushed then
     */
    long force() throws IOException {
        long target = writePosition;
        long from = flushedPosition;
        if (target <= from && !directoryDirty) {
            return from;
        }
        for (Segment s : segments.tailMap(from - from % segmentSize).values()) {
            if (s.baseOffset() >= target) {
                break;
            }
            s.force();
        }
        if (directoryDirty) {
            directoryDirty = false;
            forceDirectory(dir);
        }
        flushedPosition = target;
        forces++;
        return target;
    }

    /**
     * Removes the oldest segment (never the active one). Caller holds the flush lock.
     *
     * @return the removed segment, or null if only the active one is left
     */
    Segment removeOldest() throws IOException {
        var first = segments.firstEntry();
        if (first == null || first.getValue() == active || segments.size() < 2) {
            return null;
        }
        Segment s = first.getValue();
        segments.remove(first.getKey());
        s.close();
        Files.deleteIfExists(s.path());
        return s;
    }

    /**
     * Recovery: discards everything from {@code offset} on — zeros the rest of its segment, deletes later ones.
     *
     * @return how many later segment files were deleted
     */
    int truncateFrom(long offset) throws IOException {
        Segment holder = segmentAt(offset);
        int deleted = 0;
        for (Segment later : new ArrayList<>(segments.tailMap(holder.baseOffset(), false).values())) {
            segments.remove(later.baseOffset());
            later.close();
            Files.deleteIfExists(later.path());
            deleted++;
        }
        holder.punchFrom((int) (offset - holder.baseOffset()));
        if (deleted > 0) {
            forceDirectory(dir);
        }
        return deleted;
    }

    void close() throws IOException {
        IOException failure = null;
        Segment p = prepared;
        if (p != null) {
            try {
                discardPrepared(p);
            } catch (IOException e) {
                failure = e;
            }
        }
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
