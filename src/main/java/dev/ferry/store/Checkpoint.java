package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The {@code checkpoint} file: the commit-log offset below which every record is durable in the commit log
 * and in its index, so crash recovery scans only from there. 24 bytes, little-endian: offset (8), the store
 * clock when written (8), CRC32C of the first 16 (4), reserved (4). Replaced atomically (write, force, rename,
 * force directory). Not thread-safe: the store calls it under its checkpoint monitor. The indexes' shape at a
 * checkpoint (to detect lost index files) is in {@link IndexSummary}, written just before it.
 */
final class Checkpoint {

    static final String FILE = "checkpoint";

    private Checkpoint() {
    }

    /** @return the checkpointed offset, or empty when there is no usable checkpoint (then recovery scans everything) */
    static OptionalLong read(Path dir) throws IOException {
        Path path = dir.resolve(FILE);
        if (!Files.exists(path)) {
            return OptionalLong.empty();
        }
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length != 24) {
            return OptionalLong.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(SegmentDescriptor.ORDER);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        return (int) crc.getValue() == b.getInt(16) ? OptionalLong.of(b.getLong(0)) : OptionalLong.empty();
    }

    static void write(Path dir, long offset, long nowMillis) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(SegmentDescriptor.ORDER);
        b.putLong(0, offset).putLong(8, nowMillis);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt(16, (int) crc.getValue());
        AtomicFile.replace(dir, FILE, b);
    }
}
