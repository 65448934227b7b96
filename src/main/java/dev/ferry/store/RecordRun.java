package dev.ferry.store;

import java.nio.ByteBuffer;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * Consecutive records of one persistence id in the commit log's own encoding ({@link SegmentDescriptor}), back to
 * back in one array: what {@link MessageStore#readRun} copies out of the log and {@link MessageStore#appendRun}
 * copies into another store, so a peer recovery moves a log without decoding and re-encoding every record (RocketMQ's
 * HA ships commit-log bytes the same way).
 *
 * <p>{@link #of} checks the layout only (lengths, version, sequence nrs rising); checksums and the persistence id are
 * checked by the store that reads or appends the bytes. The array is shared, not copied (it can be 8 MiB): nobody may
 * change it once it is in a run. A class rather than a record so the summary fields cannot disagree with the bytes.
 */
public final class RecordRun {

    private static final RecordRun EMPTY = new RecordRun(new byte[0], 0, 0, 0, 0);

    private final byte[] bytes;
    private final int count;
    private final long firstSeq;
    private final long lastSeq;
    private final long payloadBytes;

    RecordRun(byte[] bytes, int count, long firstSeq, long lastSeq, long payloadBytes) {
        this.bytes = bytes;
        this.count = count;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.payloadBytes = payloadBytes;
    }

    /** A run of no records. */
    public static RecordRun empty() {
        return EMPTY;
    }

    /**
     * Wraps encoded records (received from another node, say) after checking their layout.
     *
     * @throws IllegalArgumentException when the bytes are not whole records of this format with rising sequence nrs
     */
    public static RecordRun of(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ORDER);
        int count = 0;
        long first = 0;
        long last = 0;
        long payload = 0;
        int position = 0;
        while (position < bytes.length) {
            if (bytes.length - position < RECORD_HEADER_LENGTH) {
                throw new IllegalArgumentException("record run ends inside a record header at byte " + position);
            }
            int length = b.getInt(position + LENGTH_OFFSET);
            int idLength = b.getInt(position + ID_LENGTH_OFFSET);
            int payloadLength = b.getInt(position + PAYLOAD_LENGTH_OFFSET);
            if (b.get(position + VERSION_OFFSET) != RECORD_VERSION || idLength <= 0 || payloadLength < 0
                    || length != (long) RECORD_HEADER_LENGTH + idLength + payloadLength || length > bytes.length - position) {
                throw new IllegalArgumentException("record run holds a malformed record at byte " + position);
            }
            long seq = b.getLong(position + SEQUENCE_OFFSET);
            if (seq < 1 || (count > 0 && seq <= last)) {
                throw new IllegalArgumentException("record run's sequence nrs do not rise at byte " + position + " (" + seq + " after " + last + ")");
            }
            if (count == 0) {
                first = seq;
            }
            last = seq;
            payload += payloadLength;
            count++;
            position += length;
        }
        return count == 0 ? EMPTY : new RecordRun(bytes, count, first, last, payload);
    }

    /** The encoded records (shared: do not modify). */
    public byte[] bytes() {
        return bytes;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Sequence nr of the first record, 0 when empty. */
    public long firstSeq() {
        return firstSeq;
    }

    /** Sequence nr of the last record, 0 when empty. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Payload bytes of all records (without record headers and ids). */
    public long payloadBytes() {
        return payloadBytes;
    }

    @Override
    public String toString() {
        return "RecordRun[" + count + " records, seq " + firstSeq + ".." + lastSeq + ", " + bytes.length + " bytes]";
    }
}
