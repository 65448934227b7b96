package dev.ferry.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.ferry.store.SegmentDescriptor.*;

/**
 * Checks one encoded record held in a heap array (a {@link RecordRun}'s bytes) before it is trusted: the same checks a
 * read of the mapped log makes (layout, persistence id, CRC32C), so bytes that crossed a network are held to the
 * standard of bytes read from disk. Stateless; the caller passes its own CRC32C (not thread-safe).
 */
final class RecordCheck {

    private RecordCheck() {
    }

    /**
     * @param b     {@code bytes} wrapped in {@link SegmentDescriptor#ORDER}
     * @param id    the persistence id (UTF-8) the record must carry
     * @return null when the record at {@code position} is whole and intact, else what is wrong with it
     */
    static String problem(byte[] bytes, ByteBuffer b, int position, byte[] id, CRC32C crc) {
        if (bytes.length - position < RECORD_HEADER_LENGTH) {
            return "the bytes end inside a record header";
        }
        int length = b.getInt(position + LENGTH_OFFSET);
        int idLength = b.getInt(position + ID_LENGTH_OFFSET);
        int payloadLength = b.getInt(position + PAYLOAD_LENGTH_OFFSET);
        if (b.get(position + VERSION_OFFSET) != RECORD_VERSION || payloadLength < 0 || idLength != id.length
                || length != (long) RECORD_HEADER_LENGTH + idLength + payloadLength || length > bytes.length - position) {
            return "malformed record (length " + length + ", id length " + idLength + ", payload length " + payloadLength + ")";
        }
        int idAt = position + RECORD_HEADER_LENGTH;
        if (!Arrays.equals(bytes, idAt, idAt + idLength, id, 0, id.length)) {
            return "record of another persistence id";
        }
        crc.reset();
        crc.update(bytes, position + CRC_START, length - CRC_START);
        if ((int) crc.getValue() != b.getInt(position + CRC_OFFSET)) {
            return "CRC32C mismatch";
        }
        return null;
    }
}
