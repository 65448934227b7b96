package dev.ferry.cluster;

/**
 * Disk usage of one node's data directory, as the node publishes it every {@code ferry.allocation.disk.report-interval}.
 *
 * @param totalBytes size of the file system holding the data directory
 * @param freeBytes  bytes still usable on it
 * @param dataBytes  apparent size of the files under the data directory (journal, indexes, metadata): sparse segment
 *                   and index files count in full, so this is an upper bound of the space they take (Java has no
 *                   portable allocated-block count); the watermarks use totalBytes and freeBytes only
 * @param reportedAt epoch millis of the measurement
 */
public record DiskUsage(String node, long totalBytes, long freeBytes, long dataBytes, long reportedAt) implements CborSerializable {

    public double usedFraction() {
        return totalBytes == 0 ? 0 : (double) (totalBytes - freeBytes) / totalBytes;
    }
}
