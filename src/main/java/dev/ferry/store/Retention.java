package dev.ferry.store;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deletes whole commit-log segments from the front (RocketMQ's CleanCommitLogService), then reclaims index
 * segments that only point below the new start:
 * <ul>
 *   <li>a segment expires {@code file-reserved-time} after its last write (the creation time of the next
 *       segment, taken from the store clock); expired segments go at a {@code delete-when} hour, or at any hour
 *       while the disk is above {@code disk-max-used-space-ratio};</li>
 *   <li>while the disk is above that ratio, the oldest segments go whatever their age, until the freed bytes
 *       bring the reading below it (the reading is taken once per round and the freed bytes subtracted, because
 *       a deleted file's space returns only when its mapping is collected).</li>
 * </ul>
 * Never the active segment, never a segment not yet fully forced. Threading: one round at a time (the caller
 * serialises); segment removal under the flush lock, index reclaim under the writer lock.
 */
final class Retention {

    private final StoreConfig config;
    private final Clock clock;
    private final Set<Integer> deleteHours;

    Retention(StoreConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.deleteHours = StoreConfig.deleteHours(config.deleteWhen());
    }

    RetentionReport run(CommitLog log, Indexes indexes, ReentrantLock flushLock, ReentrantLock writeLock) throws IOException {
        Instant now = clock.instant();
        boolean deleteHour = deleteHours.contains(now.atZone(clock.getZone()).getHour());
        long reservedMillis = config.fileReservedTime().toMillis();
        DiskUsage.Space space = config.diskUsage().read();
        long allowedBytes = (long) (space.totalBytes() * (config.diskMaxUsedSpaceRatio() / 100.0));
        long used = space.usedBytes();
        List<RetentionReport.DeletedSegment> deleted = new ArrayList<>();
        while (true) {
            List<Segment> segments = log.segments();
            if (segments.size() < 2) {
                break;
            }
            Segment oldest = segments.get(0);
            Segment next = segments.get(1);
            if (log.flushedPosition() < next.baseOffset()) {
                break; // the flusher has not covered this segment's end yet
            }
            boolean diskFull = used > allowedBytes;
            boolean expired = now.toEpochMilli() - next.createdMillis() >= reservedMillis;
            RetentionReport.Reason reason;
            if (expired && (deleteHour || diskFull)) {
                reason = RetentionReport.Reason.EXPIRED;
            } else if (diskFull) {
                reason = RetentionReport.Reason.DISK_FULL;
            } else {
                break;
            }
            flushLock.lock();
            try {
                if (log.removeOldest() == null) {
                    break;
                }
            } finally {
                flushLock.unlock();
            }
            used -= oldest.size();
            deleted.add(new RetentionReport.DeletedSegment(oldest.baseOffset(), reason));
        }
        long first = log.firstOffset();
        int reclaimed = 0;
        if (!deleted.isEmpty()) {
            writeLock.lock();
            try {
                for (QueueIndex index : indexes.all()) {
                    reclaimed += index.reclaimBelow(first);
                }
            } finally {
                writeLock.unlock();
            }
        }
        return new RetentionReport(deleted, reclaimed, first);
    }
}
