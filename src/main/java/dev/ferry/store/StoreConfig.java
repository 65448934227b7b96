package dev.ferry.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one store. Names follow RocketMQ's broker settings (in brackets); the journal plugin reads them from
 * {@code ferry.journal} in kebab-case. Immutable; build with {@link #defaults(Path)} and the {@code with...} methods.
 *
 * @param dir                    store root (holds commitlog/, index/, checkpoint, abort, lock)
 * @param segmentSize            bytes per commit-log segment [mapedFileSizeCommitLog], at most 2 GiB - 1; an existing store keeps the size it was created with
 * @param indexEntriesPerFile    entries per index segment [mapedFileSizeConsumeQueue / 20]
 * @param maxMessageSize         largest persistence id + payload of one record [maxMessageSize]
 * @param flushInterval          the async flusher's tick [flushIntervalCommitLog]
 * @param flushLeastPages        an async tick forces only if at least this many 4 KiB pages are dirty [flushCommitLogLeastPages]
 * @param flushThoroughInterval  force whatever is dirty at least this often [flushCommitLogThoroughInterval]
 * @param checkpointInterval     how often indexes are forced and the checkpoint is written (bounds crash re-scan)
 * @param fileReservedTime       a segment expires this long after its last write [fileReservedTime]
 * @param deleteWhen             hours of the day (store clock's zone) expired segments are deleted, "04" or "04;16" [deleteWhen]
 * @param diskMaxUsedSpaceRatio  percent; above it segments are deleted oldest-first whatever their age [diskMaxUsedSpaceRatio]
 * @param retentionCheckInterval how often retention runs by itself [cleanResourceInterval]; zero disables the schedule
 * @param diskUsage              where disk use comes from
 */
public record StoreConfig(Path dir, long segmentSize, int indexEntriesPerFile, int maxMessageSize,
                          Duration flushInterval, int flushLeastPages, Duration flushThoroughInterval,
                          Duration checkpointInterval, Duration fileReservedTime, String deleteWhen,
                          int diskMaxUsedSpaceRatio, Duration retentionCheckInterval, DiskUsage diskUsage) {

    public static final long DEFAULT_SEGMENT_SIZE = 1L << 30;
    public static final int PAGE_SIZE = 4096;

    public StoreConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(flushThoroughInterval, "flushThoroughInterval");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(fileReservedTime, "fileReservedTime");
        Objects.requireNonNull(retentionCheckInterval, "retentionCheckInterval");
        Objects.requireNonNull(diskUsage, "diskUsage");
        if (segmentSize < 4096 || segmentSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment-size must be between 4096 and " + Integer.MAX_VALUE + " bytes, was " + segmentSize);
        }
        if (indexEntriesPerFile < 1) {
            throw new IllegalArgumentException("index-entries-per-file must be >= 1, was " + indexEntriesPerFile);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("max-message-size must be >= 1, was " + maxMessageSize);
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flush-interval must be positive, was " + flushInterval);
        }
        if (flushLeastPages < 0) {
            throw new IllegalArgumentException("flush-least-pages must be >= 0, was " + flushLeastPages);
        }
        if (diskMaxUsedSpaceRatio < 10 || diskMaxUsedSpaceRatio > 95) {
            throw new IllegalArgumentException("disk-max-used-space-ratio must be between 10 and 95 (percent), was " + diskMaxUsedSpaceRatio);
        }
        deleteHours(deleteWhen); // validates
    }

    /** @return RocketMQ's defaults: 1 GiB segments, 500 ms / 4 pages async flush, 72 h, "04", 75 % */
    public static StoreConfig defaults(Path dir) {
        return new StoreConfig(dir, DEFAULT_SEGMENT_SIZE, 300_000, 4 * 1024 * 1024,
                Duration.ofMillis(500), 4, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofHours(72), "04", 75, Duration.ofSeconds(10), DiskUsage.of(dir));
    }

    /**
     * Parses a delete-when value.
     *
     * @param deleteWhen hours 0..23 separated by ';', e.g. "04" or "04;16"
     * @return the hours
     * @throws IllegalArgumentException naming the bad part
     */
    public static Set<Integer> deleteHours(String deleteWhen) {
        if (deleteWhen == null || deleteWhen.isBlank()) {
            throw new IllegalArgumentException("delete-when must list hours 0-23 separated by ';' (e.g. \"04\"), was empty");
        }
        Set<Integer> hours = new TreeSet<>();
        for (String part : deleteWhen.split(";")) {
            try {
                int hour = Integer.parseInt(part.trim());
                if (hour < 0 || hour > 23) {
                    throw new NumberFormatException();
                }
                hours.add(hour);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("delete-when must list hours 0-23 separated by ';' (e.g. \"04\"), got \"" + part + "\" in \"" + deleteWhen + "\"");
            }
        }
        return Set.copyOf(hours);
    }

    public StoreConfig withSegmentSize(long v) {
        return new StoreConfig(dir, v, indexEntriesPerFile, maxMessageSize, flushInterval, flushLeastPages, flushThoroughInterval, checkpointInterval, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, diskUsage);
    }

    public StoreConfig withIndexEntriesPerFile(int v) {
        return new StoreConfig(dir, segmentSize, v, maxMessageSize, flushInterval, flushLeastPages, flushThoroughInterval, checkpointInterval, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, diskUsage);
    }

    public StoreConfig withMaxMessageSize(int v) {
        return new StoreConfig(dir, segmentSize, indexEntriesPerFile, v, flushInterval, flushLeastPages, flushThoroughInterval, checkpointInterval, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, diskUsage);
    }

    public StoreConfig withFlush(Duration interval, int leastPages, Duration thoroughInterval) {
        return new StoreConfig(dir, segmentSize, indexEntriesPerFile, maxMessageSize, interval, leastPages, thoroughInterval, checkpointInterval, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, diskUsage);
    }

    public StoreConfig withCheckpointInterval(Duration v) {
        return new StoreConfig(dir, segmentSize, indexEntriesPerFile, maxMessageSize, flushInterval, flushLeastPages, flushThoroughInterval, v, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, diskUsage);
    }

    public StoreConfig withRetention(Duration reservedTime, String when, int maxUsedRatio, Duration checkInterval) {
        return new StoreConfig(dir, segmentSize, indexEntriesPerFile, maxMessageSize, flushInterval, flushLeastPages, flushThoroughInterval, checkpointInterval, reservedTime, when, maxUsedRatio, checkInterval, diskUsage);
    }

    public StoreConfig withDiskUsage(DiskUsage v) {
        return new StoreConfig(dir, segmentSize, indexEntriesPerFile, maxMessageSize, flushInterval, flushLeastPages, flushThoroughInterval, checkpointInterval, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, retentionCheckInterval, v);
    }
}
