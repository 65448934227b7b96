package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * What {@link MessageStore#readRun} copies: the index entries (sequence nr, log position, size) of the records that
 * fit, picked first so the array is allocated once at its final size. Reader-local, used once.
 */
final class RunPlan {

    private long[] seqs;
    private long[] positions;
    private int[] sizes;
    private int count;
    private long total;

    private RunPlan(int capacity) {
        seqs = new long[capacity];
        positions = new long[capacity];
        sizes = new int[capacity];
    }

    /**
     * The present entries from {@code fromSeq} up to the published highest that fit in maxBytes (one at least) and maxRecords.
     *
     * @param maxRecordLength the largest record the log can hold: an entry naming a larger size is damaged
     * @throws IOException when an entry is damaged (an impossible size, or an offset before the previous entry's record:
     *                     an id's records lie in the log in sequence-nr order), so a run is never silently cut short by it
     */
    static RunPlan of(QueueIndex index, long fromSeq, int maxBytes, int maxRecords, long maxRecordLength) throws IOException {
        long hi = index.highest();
        RunPlan plan = new RunPlan((int) Math.max(1, Math.min(Math.min(maxRecords, 1024), hi - fromSeq + 1)));
        long previousEnd = -1;
        for (long s = fromSeq; s <= hi && plan.count < maxRecords; s++) {
            int size = index.size(s);
            if (size <= 0) {
                continue; // a hole or a reclaimed entry
            }
            long position = index.position(s);
            if (size > maxRecordLength || position < previousEnd) {
                throw new IOException("the index entry of record " + s + " of persistence id '" + index.persistenceId() + "' (commit-log offset "
                        + position + ", size " + size + ") is damaged: " + (size > maxRecordLength ? "no record is that large"
                        : "it points before the previous record of the id") + "; the index is damaged");
            }
            if (plan.count > 0 && plan.total + size > maxBytes) {
                break;
            }
            plan.add(s, position, size);
            previousEnd = position + size;
        }
        return plan;
    }

    /** The sequence nr of the first planned record (the plan is not empty). */
    long firstSeq() {
        return seqs[0];
    }

    private void add(long seq, long position, int size) {
        if (count == seqs.length) {
            seqs = Arrays.copyOf(seqs, count * 2);
            positions = Arrays.copyOf(positions, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
        }
        seqs[count] = seq;
        positions[count] = position;
        sizes[count] = size;
        count++;
        total += size;
    }

    /**
     * Copies the planned records out of the log, one bulk copy per stretch of adjacent records, and checks each copy.
     *
     * @return the run (fewer records if retention removed a later one's segment meanwhile), or null when the first
     *         record's segment was removed by retention (the caller starts again above it)
     * @throws IOException when a record fails its checks or the index points where the log has no segment
     */
    RecordRun copy(CommitLog log, String persistenceId, byte[] id) throws IOException {
        if (count == 0) {
            return RecordRun.empty();
        }
        byte[] out = new byte[Math.toIntExact(total)];
        int at = 0;
        int copied = 0;
        while (copied < count) {
            long position = positions[copied];
            Segment segment = log.segmentAt(position);
            if (segment == null) {
                if (position >= log.firstOffset()) {
                    throw damaged(persistenceId, seqs[copied], position, "no commit-log segment holds it");
                }
                break; // retention removed it while we read
            }
            int from = copied;
            long end = position + sizes[copied++];
            // Records never span segments, so a record that starts where the last one ended is in the same segment.
            while (copied < count && positions[copied] == end) {
                end += sizes[copied++];
            }
            int inSegment = (int) (position - segment.baseOffset());
            if (inSegment < SEGMENT_HEADER_LENGTH || end - segment.baseOffset() > segment.size()) {
                throw damaged(persistenceId, seqs[from], position, "the index points outside its segment");
            }
            segment.copyTo(inSegment, out, at, (int) (end - position));
            at += (int) (end - position);
        }
        if (copied == 0) {
            return null;
        }
        return check(out, at, copied, persistenceId, id);
    }

    /** Checks every copied record against its index entry and its CRC; sums the payload. */
    private RecordRun check(byte[] out, int length, int n, String persistenceId, byte[] id) throws IOException {
        byte[] bytes = length == out.length ? out : Arrays.copyOf(out, length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ORDER);
        CRC32C crc = new CRC32C();
        long payload = 0;
        int p = 0;
        for (int i = 0; i < n; i++) {
            String problem = RecordCheck.problem(bytes, b, p, id, crc);
            if (problem == null && (b.getInt(p + LENGTH_OFFSET) != sizes[i] || b.getLong(p + SEQUENCE_OFFSET) != seqs[i])) {
                problem = "not the record its index entry names";
            }
            if (problem != null) {
                throw damaged(persistenceId, seqs[i], positions[i], problem);
            }
            payload += b.getInt(p + PAYLOAD_LENGTH_OFFSET);
            p += sizes[i];
        }
        return new RecordRun(bytes, n, seqs[0], seqs[n - 1], payload);
    }

    private static IOException damaged(String persistenceId, long seq, long position, String problem) {
        return new IOException("record " + seq + " of persistence id '" + persistenceId + "' at commit-log offset " + position
                + " fails its checks (" + problem + "); the commit log is damaged");
    }
}
