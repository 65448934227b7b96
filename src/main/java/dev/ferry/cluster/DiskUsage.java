package dev.ferry.cluster;

/**
 * Disk usage of one node's data directory, as the node publishes it every {@code ferry.disk.report-interval}.
 *
 * @param totalBytes size of the file system holding the data directory
 * @param freeBytes  bytes still usable on it
 * @param dataBytes  bytes under the data directory (journal, metadata)
 * @param reportedAt epoch millis of the measurement
 */
public record DiskUsage(String node, long totalBytes, long freeBytes, long dataBytes, long reportedAt) implements CborSerializable {

    public double usedFraction() {
        return totalBytes == 0 ? 0 : (double) (totalBytes - freeBytes) / totalBytes;
    }
}
