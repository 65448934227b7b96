package dev.ferry.store;

import java.nio.ByteOrder;

/**
 * The commit log's on-disk format, written down once. Everything is little-endian (the byte order of the
 * machines we run on, so the mapped buffer's long/int accessors need no swapping).
 *
 * <p>A segment is a file of exactly {@code segmentSize} bytes named by the 20-digit, zero-padded commit-log
 * offset of its first byte, so file order is offset order and finding a segment is arithmetic. It starts
 * with a header and is followed by records packed back to back. A record never spans segments: when the
 * next group does not fit, the writer puts an end-of-segment marker and rolls to the next file (RocketMQ's
 * BLANK). Bytes after the last record are zero (files are created sparse, recovery punches torn tails back
 * to zeros), so a zero length means "end of data" — unless a valid record follows the zeros somewhere later in the
 * log, which recovery reports as a cut ({@code ZEROS_BEFORE_RECORDS}).
 *
 * <pre>
 * Segment header (32 bytes, at file position 0)
 *   0                   4                   8                                       16
 *   +-------------------+-------------------+---------------------------------------+
 *   | magic 0x46455259  | format version    | base offset (commit-log offset of byte 0)
 *   +-------------------+-------------------+---------------------------------------+
 *   16                                      24                  28                  32
 *   +---------------------------------------+-------------------+-------------------+
 *   | created at (epoch millis, store clock)| CRC32C of 0..24   | reserved (0)      |
 *   +---------------------------------------+-------------------+-------------------+
 *
 * Record (40-byte header + persistence id + payload)
 *   0                   4                   8    9    10        12                  16
 *   +-------------------+-------------------+----+----+---------+-------------------+
 *   | length (all bytes)| CRC32C of 8..len  |ver |flag| reserved| persistence id len|
 *   +-------------------+-------------------+----+----+---------+-------------------+
 *   16                                      24                                      32
 *   +---------------------------------------+---------------------------------------+
 *   | sequence nr                           | timestamp (epoch millis, store clock) |
 *   +---------------------------------------+---------------------------------------+
 *   32                  36                  40
 *   +-------------------+-------------------+-------------------------+-------------+
 *   | tag hash (0 none) | payload length    | persistence id (UTF-8)  | payload ... |
 *   +-------------------+-------------------+-------------------------+-------------+
 *   length = 40 + persistence id len + payload length (checked on every read and on recovery)
 *   flag bit 0 END_OF_GROUP: set on the last record of an atomic group; recovery drops a trailing group
 *   without it, so a group survives a crash whole or not at all. A group never spans segments.
 *
 * End-of-segment marker (8 bytes; the writer always keeps room for it)
 *   +-------------------+-------------------+
 *   | -1                | 0xCBD43194 (blank)|   rest of the segment is unused; continue in the next file
 *   +-------------------+-------------------+
 * </pre>
 *
 * <p>Constants and static helpers only; thread-safe.
 */
public final class SegmentDescriptor {

    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int SEGMENT_MAGIC = 0x46455259; // "FERY"
    public static final int SEGMENT_VERSION = 1;
    public static final int SEGMENT_HEADER_LENGTH = 32;
    public static final int SEGMENT_MAGIC_OFFSET = 0;
    public static final int SEGMENT_VERSION_OFFSET = 4;
    public static final int SEGMENT_BASE_OFFSET_OFFSET = 8;
    public static final int SEGMENT_CREATED_OFFSET = 16;
    public static final int SEGMENT_CRC_OFFSET = 24;

    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int VERSION_OFFSET = 8;
    public static final int FLAGS_OFFSET = 9;
    public static final int ID_LENGTH_OFFSET = 12;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int TAG_HASH_OFFSET = 32;
    public static final int PAYLOAD_LENGTH_OFFSET = 36;
    public static final int RECORD_HEADER_LENGTH = 40;
    /** The CRC covers the record from here to its end. */
    public static final int CRC_START = VERSION_OFFSET;

    public static final byte RECORD_VERSION = 1;
    public static final byte FLAG_END_OF_GROUP = 0x1;

    public static final int END_OF_SEGMENT_LENGTH = -1;
    public static final int END_OF_SEGMENT_MAGIC = 0xCBD43194;
    public static final int END_OF_SEGMENT_MARKER_LENGTH = 8;

    private SegmentDescriptor() {
    }

    /**
     * @return the total record length for a persistence id and payload of these encoded sizes
     */
    public static int recordLength(int idLength, int payloadLength) {
        return RECORD_HEADER_LENGTH + idLength + payloadLength;
    }

    /** @return the segment file name for a base offset: 20 digits, zero-padded */
    public static String fileName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** @return the largest record a segment of this size can hold (header and end marker reserved) */
    public static long maxRecordLength(long segmentSize) {
        return segmentSize - SEGMENT_HEADER_LENGTH - END_OF_SEGMENT_MARKER_LENGTH;
    }
}
