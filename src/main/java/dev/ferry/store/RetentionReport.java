package dev.ferry.store;

import java.util.List;

/**
 * What one retention round deleted.
 *
 * @param deleted            the commit-log segments removed, oldest first
 * @param indexFilesDeleted  index segment files reclaimed because every entry in them pointed below the new start
 * @param firstOffset        the lowest commit-log offset still stored
 */
public record RetentionReport(List<DeletedSegment> deleted, int indexFilesDeleted, long firstOffset) {

    public RetentionReport {
        deleted = List.copyOf(deleted);
    }

    /** Why a segment went. */
    public enum Reason {
        /** Older than file-reserved-time, at a delete-when hour (or any hour while the disk is above the ratio). */
        EXPIRED,
        /** The disk was above disk-max-used-space-ratio; deleted oldest-first regardless of age. */
        DISK_FULL
    }

    /** One deleted commit-log segment. */
    public record DeletedSegment(long baseOffset, Reason reason) {
    }
}
