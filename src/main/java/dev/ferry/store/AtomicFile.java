package dev.ferry.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file so a crash leaves either the old or the new one whole: written to a temporary file, forced,
 * renamed over the old one, the directory forced (the checkpoint, an index's meta file, the index summary).
 */
final class AtomicFile {

    private AtomicFile() {}

    /** Writes {@code content} (from its position to its limit) as {@code dir/name}. */
    static void replace(Path dir, String name, ByteBuffer content) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CommitLog.forceDirectory(dir);
    }
}
