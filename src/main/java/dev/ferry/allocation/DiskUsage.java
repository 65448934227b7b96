package dev.ferry.allocation;

/**
 * A node's disk report: the file system holding its data directory.
 *
 * @param totalBytes capacity in bytes, > 0
 * @param usedBytes  bytes in use, 0..totalBytes
 */
public record DiskUsage(long totalBytes, long usedBytes) {
    public DiskUsage {
        if (totalBytes <= 0) {
            throw new IllegalArgumentException("disk totalBytes must be > 0, was [" + totalBytes + "]");
        }
        if (usedBytes < 0 || usedBytes > totalBytes) {
            throw new IllegalArgumentException("disk usedBytes must be within [0, " + totalBytes + "], was [" + usedBytes + "]");
        }
    }

    /** @return bytes still free */
    public long freeBytes() {
        return totalBytes - usedBytes;
    }

    /** @return used fraction, 0.0..1.0 */
    public double usedRatio() {
        return (double) usedBytes / totalBytes;
    }
}
