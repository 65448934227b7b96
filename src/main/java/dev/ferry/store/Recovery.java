package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * Crash recovery: scans the commit log forward from the checkpoint, re-indexes every record of every complete
 * group, stops at the first torn or corrupt record, at a group without its end, or at zeros (reported as a cut when a
 * valid record follows them later in the log, see {@link RecoveryReport.Reason#ZEROS_BEFORE_RECORDS}), and discards everything from
 * there on (the rest of that segment becomes zeros, later segments are deleted), then drops index entries that
 * point past the new end. Every index it edits is queued for the next checkpoint's force ({@link Indexes#markDirty}),
 * since the checkpoint written after recovery declares everything below the new end indexed and durable. Also
 * rebuilds the indexes {@link IndexSummary} finds damaged from the whole log ({@link #rebuild}). Runs
 * single-threaded inside {@link MessageStore#open}, before anyone can read.
 */
final class Recovery {

    private final CommitLog log;
    private final Indexes indexes;

    private long recordsScanned;
    private long bytesScanned;

    Recovery(CommitLog log, Indexes indexes) {
        this.log = log;
        this.indexes = indexes;
    }

    /** A record seen by the scan whose group has not ended yet. */
    private record Pending(String persistenceId, long sequenceNr, long offset, int length, int tagHash) {
    }

    /**
     * @param from where to start: a record boundary at or below which everything is durable and indexed
     * @return the end of the valid log and what was cut; the caller sets the write position there
     */
    Result scan(long from) throws IOException {
        List<Pending> group = new ArrayList<>();
        CRC32C crc = new CRC32C();
        Segment segment = log.segmentAt(from);
        if (segment == null) {
            segment = log.segments().get(0);
            from = segment.baseOffset() + SEGMENT_HEADER_LENGTH;
        }
        int position = (int) (from - segment.baseOffset());
        RecoveryReport.Reason reason = null;
        boolean markerWithoutNext = false;
        long zerosBeforeRecordAt = -1;
        while (true) {
            ByteBuffer b = segment.buffer();
            int limit = segment.size() - END_OF_SEGMENT_MARKER_LENGTH;
            if (position > limit) {
                reason = RecoveryReport.Reason.BAD_LENGTH;
                break;
            }
            int length = b.getInt(position + LENGTH_OFFSET);
            if (length == 0) {
                // Zeros where the next record would start: the end of the log, unless a valid record follows somewhere
                // after them (pages written back out of order before a power loss). SIGKILL cannot leave that: the page
                // cache keeps every write and the writer writes in offset order, with zeros (sparse files, the
                // allocator's fill, recovery's punch) beyond.
                zerosBeforeRecordAt = validRecordAfter(segment, position);
                if (zerosBeforeRecordAt >= 0) {
                    reason = RecoveryReport.Reason.ZEROS_BEFORE_RECORDS;
                }
                break;
            }
            if (length == END_OF_SEGMENT_LENGTH && b.getInt(position + 4) == END_OF_SEGMENT_MAGIC) {
                Segment next = log.next(segment);
                if (!group.isEmpty()) {
                    reason = RecoveryReport.Reason.PARTIAL_GROUP; // groups never span segments
                    break;
                }
                if (next == null) {
                    // After a power loss the marker can be on disk while the new file's directory entry is not: a normal
                    // end, unless index entries point past it (then a segment with records is lost, reported below).
                    // (Later segments cannot exist: CommitLog.open refuses a log with a gap.)
                    markerWithoutNext = true;
                    break;
                }
                segment = next;
                position = SEGMENT_HEADER_LENGTH;
                continue;
            }
            if (length < RECORD_HEADER_LENGTH || position + (long) length > limit) {
                reason = RecoveryReport.Reason.BAD_LENGTH;
                break;
            }
            if (b.get(position + VERSION_OFFSET) != RECORD_VERSION) {
                reason = RecoveryReport.Reason.BAD_VERSION;
                break;
            }
            int idLength = b.getInt(position + ID_LENGTH_OFFSET);
            int payloadLength = b.getInt(position + PAYLOAD_LENGTH_OFFSET);
            if (idLength <= 0 || payloadLength < 0 || (long) RECORD_HEADER_LENGTH + idLength + payloadLength != length) {
                reason = RecoveryReport.Reason.BAD_LENGTH;
                break;
            }
            crc.reset();
            crc.update(b.slice(position + CRC_START, length - CRC_START));
            if ((int) crc.getValue() != b.getInt(position + CRC_OFFSET)) {
                reason = RecoveryReport.Reason.CRC_MISMATCH;
                break;
            }
            group.add(new Pending(segment.idAt(position), b.getLong(position + SEQUENCE_OFFSET), segment.baseOffset() + position,
                    length, b.getInt(position + TAG_HASH_OFFSET)));
            if ((b.get(position + FLAGS_OFFSET) & FLAG_END_OF_GROUP) != 0) {
                dispatch(group);
            }
            position += length;
        }
        long stop = segment.baseOffset() + position;
        int dropped = group.size();
        if (!group.isEmpty()) {
            if (reason == null) {
                reason = RecoveryReport.Reason.PARTIAL_GROUP;
            }
            stop = group.get(0).offset();
        }
        // Always discard what lies beyond the valid end: after a power loss pages can land out of order, and
        // bytes left there could later line up behind new records and be taken for valid ones.
        long discardedBytes = reason == null ? 0 : writtenBytesFrom(stop);
        int segmentsDeleted = log.truncateFrom(stop);
        long removed = 0;
        for (QueueIndex index : indexes.all()) {
            long cut = index.removeEntriesFrom(stop);
            if (cut > 0) {
                indexes.markDirty(index);
            }
            removed += cut;
        }
        if (reason == null && markerWithoutNext && removed > 0) {
            reason = RecoveryReport.Reason.BAD_SEGMENT; // indexed records lay in the missing next segment
        }
        Optional<RecoveryReport.Truncation> truncation = reason == null
                ? Optional.empty()
                : Optional.of(new RecoveryReport.Truncation(stop, reason, dropped, segmentsDeleted,
                        reason == RecoveryReport.Reason.BAD_SEGMENT ? 0 : discardedBytes, zerosBeforeRecordAt));
        return new Result(stop, recordsScanned, bytesScanned, truncation, removed);
    }

    /** How far past the start of zeros (and into each later segment) recovery looks for an intact record. */
    static final int ZERO_GAP_LOOKAHEAD = 16 << 20;

    /** Zeros to compare the log against, 64 KiB at a time (read only). */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

    /** @return the position of the first non-zero byte in {@code [from, end)}, or -1 */
    private static int nextNonZero(ByteBuffer b, int from, int end) {
        for (int p = from; p < end; ) {
            int n = Math.min(ZEROS.capacity(), end - p);
            int m = b.slice(p, n).mismatch(ZEROS.slice(0, n));
            if (m >= 0) {
                return p + m;
            }
            p += n;
        }
        return -1;
    }

    /** @return the position after the last non-zero byte in {@code [from, end)}, or {@code from} when all are zero */
    private static int endOfNonZero(ByteBuffer b, int from, int end) {
        for (int e = end; e > from; ) {
            int n = Math.min(ZEROS.capacity(), e - from);
            ByteBuffer chunk = b.slice(e - n, n);
            if (chunk.mismatch(ZEROS.slice(0, n)) >= 0) {
                for (int p = e - 1; ; p--) {
                    if (b.get(p) != 0) {
                        return p + 1;
                    }
                }
            }
            e -= n;
        }
        return from;
    }

    /**
     * The commit-log offset of the first whole, intact record (length, version, internal lengths, CRC32C) at or after
     * {@code from} in {@code segment} or after the header of a later segment, each within {@link #ZERO_GAP_LOOKAHEAD}
     * bytes, or -1. Zero runs are skipped 64 KiB at a time; where bytes are not zero every position is tried (a page
     * written back out of order starts mid-record), so the cost is the zeros looked at plus about one record of
     * non-zero bytes.
     */
    private long validRecordAfter(Segment segment, int from) {
        CRC32C crc = new CRC32C();
        for (Segment s = segment; s != null; s = log.next(s), from = SEGMENT_HEADER_LENGTH) {
            ByteBuffer b = s.buffer();
            // Only so far past the zeros: pages written back out of order lie within what was dirty at the crash, and
            // every crash recovery passes here at the log's true end, where the rest of a 1 GiB segment (and a prepared
            // next one) is zeros that reading would fault into memory for nothing.
            int limit = (int) Math.min(s.size() - END_OF_SEGMENT_MARKER_LENGTH, (long) from + ZERO_GAP_LOOKAHEAD);
            int p = from;
            while (p <= limit - RECORD_HEADER_LENGTH) {
                int q = nextNonZero(b, p, limit);
                if (q < 0) {
                    break;
                }
                int r = Math.max(p, q - 3); // a length word's low byte may be zero
                for (; r <= limit - RECORD_HEADER_LENGTH; r++) {
                    if (problem(b, r, limit, b.getInt(r + LENGTH_OFFSET), crc) == null) {
                        return s.baseOffset() + r;
                    }
                    if (b.getLong(r) == 0) {
                        break; // zeros again: skip them fast
                    }
                }
                p = r + 1;
            }
        }
        return -1;
    }

    /** Bytes that are not zero from {@code offset} to the end of its segment and in every later segment (what a cut discards). */
    private long writtenBytesFrom(long offset) {
        long total = 0;
        Segment holder = log.segmentAt(offset);
        for (Segment s = holder; s != null; s = log.next(s)) {
            int from = s == holder ? (int) (offset - s.baseOffset()) : SEGMENT_HEADER_LENGTH;
            total += endOfNonZero(s.buffer(), from, s.size()) - from;
        }
        return total;
    }

    private void dispatch(List<Pending> group) throws IOException {
        for (Pending p : group) {
            QueueIndex index = indexes.getOrCreate(p.persistenceId());
            index.putRecovered(p.sequenceNr(), p.offset(), p.length(), p.tagHash());
            // the checkpoint written right after recovery claims these entries durable: it must force them
            indexes.markDirty(index);
            recordsScanned++;
            bytesScanned += p.length();
        }
        group.clear();
    }

    /**
     * Rebuilds the indexes of {@code ids} (null: every id) from the commit log: deletes their index files, then reads
     * every record from the start of the log up to {@code to} (the checkpoint, below which the log is durable and
     * whole) and writes the entry of each record of those ids, creating index files and directories as needed;
     * deleted-to and the last truncation (the meta file) still apply. A highest sequence nr the log no longer shows
     * (retention took the records) comes back from the meta file or the summary, as holes. RocketMQ re-dispatches
     * its consume queues from the commit log the same way. Cost: one sequential CRC pass over the whole log.
     *
     * @throws IOException when a record below {@code to} fails its checks: that is damage of the durable log, not a
     *                     crash's torn tail, and it is not cut away
     */
    void rebuild(Set<String> ids, long to, Optional<IndexSummary> summary) throws IOException {
        for (QueueIndex q : new ArrayList<>(indexes.all())) {
            if (ids == null || ids.contains(q.persistenceId())) {
                q.resetForRebuild();
                indexes.markDirty(q);
            }
        }
        reindex(ids, to);
        Set<String> all = new java.util.HashSet<>();
        if (ids != null) {
            all.addAll(ids);
        } else {
            indexes.all().forEach(q -> all.add(q.persistenceId()));
            summary.ifPresent(x -> all.addAll(x.entries().keySet()));
        }
        for (String id : all) {
            QueueIndex q = indexes.get(id);
            long target = Math.max(q == null ? 0 : q.metaHighest(), summary.map(x -> x.vouchedHighest(id, q)).orElse(0L));
            if (target > (q == null ? 0 : q.highest())) {
                QueueIndex index = indexes.getOrCreate(id);
                index.fillHolesTo(target, to);
                indexes.markDirty(index);
            }
        }
    }

    /** Writes the entries of {@code ids}' records (null: every id) from the start of the log up to {@code to}. */
    private void reindex(Set<String> ids, long to) throws IOException {
        List<Segment> segments = log.segments();
        if (segments.isEmpty() || to <= log.firstOffset()) {
            return;
        }
        CRC32C crc = new CRC32C();
        Segment segment = segments.get(0);
        int position = SEGMENT_HEADER_LENGTH;
        while (segment.baseOffset() + position < to) {
            ByteBuffer b = segment.buffer();
            long offset = segment.baseOffset() + position;
            int limit = segment.size() - END_OF_SEGMENT_MARKER_LENGTH;
            int length = position > limit ? 0 : b.getInt(position + LENGTH_OFFSET);
            if (length == END_OF_SEGMENT_LENGTH && b.getInt(position + 4) == END_OF_SEGMENT_MAGIC) {
                Segment next = log.next(segment);
                if (next == null) {
                    throw new IOException("rebuilding indexes: the commit log ends at offset " + offset + " (end of segment "
                            + segment.path().getFileName() + ", no next segment) below the checkpoint " + to + "; a segment is missing");
                }
                segment = next;
                position = SEGMENT_HEADER_LENGTH;
                continue;
            }
            String problem = problem(b, position, limit, length, crc);
            if (problem != null) {
                throw new IOException("rebuilding indexes: the commit-log record at offset " + offset + " below the checkpoint "
                        + to + " fails its checks (" + problem + "); the durable commit log is damaged");
            }
            String id = segment.idAt(position);
            if (ids == null || ids.contains(id)) {
                QueueIndex index = indexes.getOrCreate(id);
                index.putRecovered(b.getLong(position + SEQUENCE_OFFSET), offset, length, b.getInt(position + TAG_HASH_OFFSET));
                indexes.markDirty(index);
                recordsScanned++;
                bytesScanned += length;
            }
            position += length;
        }
    }

    /** @return null when a whole, intact record starts at {@code position}, else what is wrong (a {@link RecoveryReport.Reason} name) */
    private static String problem(ByteBuffer b, int position, int limit, int length, CRC32C crc) {
        if (length < RECORD_HEADER_LENGTH || position + (long) length > limit) {
            return RecoveryReport.Reason.BAD_LENGTH.name();
        }
        if (b.get(position + VERSION_OFFSET) != RECORD_VERSION) {
            return RecoveryReport.Reason.BAD_VERSION.name();
        }
        int idLength = b.getInt(position + ID_LENGTH_OFFSET);
        int payloadLength = b.getInt(position + PAYLOAD_LENGTH_OFFSET);
        if (idLength <= 0 || payloadLength < 0 || (long) RECORD_HEADER_LENGTH + idLength + payloadLength != length) {
            return RecoveryReport.Reason.BAD_LENGTH.name();
        }
        crc.reset();
        crc.update(b.slice(position + CRC_START, length - CRC_START));
        if ((int) crc.getValue() != b.getInt(position + CRC_OFFSET)) {
            return RecoveryReport.Reason.CRC_MISMATCH.name();
        }
        return null;
    }

    long recordsScanned() {
        return recordsScanned;
    }

    long bytesScanned() {
        return bytesScanned;
    }

    /** The scan's outcome. */
    record Result(long end, long recordsScanned, long bytesScanned, Optional<RecoveryReport.Truncation> truncation, long indexEntriesRemoved) {
    }
}
