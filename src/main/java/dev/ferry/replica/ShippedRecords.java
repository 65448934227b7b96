package dev.ferry.replica;

import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary layout of a run of {@link ShippedRecord}s in shipments ({@code SendPathSerializer}):
 * a record count, then per record its sequence number, tag hash, length and bytes (big-endian), written into one
 * exact-size array and read back with bulk copies.
 */
public final class ShippedRecords {

    private static final int HEADER_BYTES = 16;

    private ShippedRecords() {
    }

    /** Bytes {@link #write} needs for {@code records}. */
    public static int size(List<ShippedRecord> records) {
        int size = 4;
        for (ShippedRecord r : records) size += HEADER_BYTES + r.payload().length;
        return size;
    }

    public static void write(ByteBuffer out, List<ShippedRecord> records) {
        out.putInt(records.size());
        for (ShippedRecord r : records) out.putLong(r.sequenceNr()).putInt(r.tagHash()).putInt(r.payload().length).put(r.payload());
    }

    /** Reads what {@link #write} wrote, from {@code in}'s position; a count or length past the bytes left is refused. */
    public static List<ShippedRecord> read(ByteBuffer in, String what) throws NotSerializableException {
        try {
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / HEADER_BYTES) throw new NotSerializableException("corrupt " + what + ": " + count + " records");
            List<ShippedRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long seq = in.getLong();
                int tagHash = in.getInt();
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) throw new NotSerializableException("corrupt " + what + ": record of " + length + " bytes");
                byte[] payload = new byte[length];
                in.get(payload);
                records.add(new ShippedRecord(seq, tagHash, payload));
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("corrupt " + what + ": the bytes end inside a record header");
        }
    }
}
