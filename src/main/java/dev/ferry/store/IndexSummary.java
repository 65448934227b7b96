package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static dev.ferry.store.IndexDescriptor.segmentStart;

/**
 * The {@code index-summary} file: what the indexes looked like at a checkpoint, so an open can tell an index that
 * lost files (or whole directories) from a sound one without scanning the commit log (RocketMQ re-dispatches consume
 * queues from the commit log; we must first know that one is missing or short). Per persistence id: the highest
 * sequence nr at the checkpoint offset, the first sequence nr of its oldest and newest index file and how many files
 * it had. Written by a checkpoint whenever an index or an index file was created or deleted since the last one
 * (rare: a new id, an index roll-over every {@code index-entries-per-file} records, deleteTo, truncateAfter,
 * retention) and always by the final checkpoint of {@link MessageStore#close}, which marks it "at close".
 *
 * <pre>
 * 0  magic 0x46494458 "FIDX" (4) | version 1 (4) | flags, bit 0 = written at close (4) | ids (4)
 * 16 checkpoint offset it describes (8)
 * 24 per id: id length (4), id (UTF-8), highest (8), oldest file start (8), newest file start (8), files (4)
 *    last 4 bytes: CRC32C of everything before
 * </pre>
 *
 * Replaced atomically (write, force, rename, force directory). A missing or damaged summary in a store that holds
 * data means nothing can be vouched for: every index is rebuilt. Not thread-safe: written under the store's checkpoint
 * monitor, read by open.
 */
final class IndexSummary {

    static final String FILE = "index-summary";
    private static final int MAGIC = 0x46494458;
    private static final int VERSION = 1;
    private static final int FLAG_AT_CLOSE = 1;

    /** One id's index as the summary saw it. */
    record Entry(long highest, long firstFile, long lastFile, int files) {
    }

    private final long offset;
    private final boolean atClose;
    private final Map<String, Entry> entries;

    private IndexSummary(long offset, boolean atClose, Map<String, Entry> entries) {
        this.offset = offset;
        this.atClose = atClose;
        this.entries = entries;
    }

    long offset() {
        return offset;
    }

    boolean atClose() {
        return atClose;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** Takes the summary of every index. Writer lock (so highest sequence nrs match {@code offset}). */
    static IndexSummary snapshot(Indexes indexes, long offset, boolean atClose) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (QueueIndex q : indexes.all()) {
            entries.put(q.persistenceId(), new Entry(q.highest(), q.firstFileStart(), q.lastFileStart(), q.fileCount()));
        }
        return new IndexSummary(offset, atClose, entries);
    }

    void write(Path dir) throws IOException {
        int length = 24 + 4;
        Map<String, byte[]> ids = new HashMap<>();
        for (String id : entries.keySet()) {
            byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
            ids.put(id, bytes);
            length += 4 + bytes.length + 28;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(SegmentDescriptor.ORDER);
        b.putInt(MAGIC).putInt(VERSION).putInt(atClose ? FLAG_AT_CLOSE : 0).putInt(entries.size()).putLong(offset);
        for (var e : entries.entrySet()) {
            byte[] id = ids.get(e.getKey());
            Entry v = e.getValue();
            b.putInt(id.length).put(id).putLong(v.highest()).putLong(v.firstFile()).putLong(v.lastFile()).putInt(v.files());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        AtomicFile.replace(dir, FILE, b);
    }

    /** @return the summary, or empty when there is none or it is damaged (then nothing is vouched for) */
    static Optional<IndexSummary> read(Path dir) throws IOException {
        Path path = dir.resolve(FILE);
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length < 28) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(SegmentDescriptor.ORDER);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != b.getInt(bytes.length - 4) || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            return Optional.empty();
        }
        boolean atClose = (b.getInt(8) & FLAG_AT_CLOSE) != 0;
        int count = b.getInt(12);
        long offset = b.getLong(16);
        b.position(24);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[b.getInt()];
            b.get(id);
            entries.put(new String(id, StandardCharsets.UTF_8), new Entry(b.getLong(), b.getLong(), b.getLong(), b.getInt()));
        }
        return Optional.of(new IndexSummary(offset, atClose, entries));
    }

    /**
     * The ids whose index cannot be trusted: named by the summary but without an index, with a gap between their index
     * files, or (against a summary written at close, on a clean open at the same checkpoint) with any difference in
     * highest sequence nr or files; against an older summary (after a crash) with fewer newest files, a lower highest
     * sequence nr (unless a truncateAfter came later) or a lost oldest file that deleteTo does not explain. An index
     * the summary does not know (created since) is checked for gaps only. Costs one pass over the ids in memory.
     *
     * @param exact the summary was written by the close that ended the previous run at this checkpoint
     */
    Set<String> suspects(Indexes indexes, boolean exact) {
        Set<String> out = new TreeSet<>();
        int perFile = indexes.entriesPerFile();
        for (var e : entries.entrySet()) {
            QueueIndex q = indexes.get(e.getKey());
            Entry v = e.getValue();
            if (q == null) {
                if (v.highest() > 0 || v.files() > 0) {
                    out.add(e.getKey());
                }
                continue;
            }
            if (!q.filesContiguous()) {
                out.add(e.getKey());
            } else if (exact) {
                if (q.highest() != v.highest() || q.fileCount() != v.files() || q.firstFileStart() != v.firstFile()
                        || q.lastFileStart() != v.lastFile()) {
                    out.add(e.getKey());
                }
            } else {
                boolean truncatedSince = q.truncateOffset() >= offset && q.truncateOffset() > 0;
                boolean newestLost = v.files() > 0 && (q.fileCount() == 0 || q.lastFileStart() < v.lastFile());
                boolean oldestLost = v.files() > 0 && q.fileCount() > 0 && q.firstFileStart() > v.firstFile()
                        && q.firstFileStart() > segmentStart(q.deletedTo() + 1, perFile);
                if ((newestLost || q.highest() < v.highest()) && !truncatedSince || oldestLost) {
                    out.add(e.getKey());
                }
            }
        }
        for (QueueIndex q : indexes.all()) {
            if (!entries.containsKey(q.persistenceId()) && !q.filesContiguous()) {
                out.add(q.persistenceId());
            }
        }
        return out;
    }

    /**
     * @return the highest sequence nr the summary vouches for {@code q}'s id (0 if none): the id's highest at the
     *         summary's checkpoint, unless a truncateAfter may have lowered it since
     */
    long vouchedHighest(String persistenceId, QueueIndex q) {
        Entry v = entries.get(persistenceId);
        if (v == null || q != null && q.truncateOffset() > 0 && q.truncateOffset() >= offset) {
            return 0;
        }
        return v.highest();
    }
}
