package dev.ferry.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How full the store's disk is. Injected so retention by disk use can be tested and so a node can share one
 * reading between the store and its disk-stats publisher. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface DiskUsage {

    /**
     * @return the current size and use of the disk holding the store
     * @throws IOException when the file system cannot be asked
     */
    Space read() throws IOException;

    /** @return the real usage of the file store holding {@code dir} (used = total minus usable) */
    static DiskUsage of(Path dir) {
        return () -> {
            FileStore store = Files.getFileStore(dir);
            long total = store.getTotalSpace();
            return new Space(total, total - store.getUsableSpace());
        };
    }

    /** A reading, in bytes. */
    record Space(long totalBytes, long usedBytes) {
        /** @return used space in percent of total (0 for an empty disk of size 0) */
        public double usedPercent() {
            return totalBytes <= 0 ? 0 : 100.0 * usedBytes / totalBytes;
        }
    }
}
