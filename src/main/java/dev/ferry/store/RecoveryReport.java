package dev.ferry.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link MessageStore#open} found and did.
 *
 * @param cleanShutdown      the previous run closed the store; nothing was scanned unless an index had to be rebuilt
 * @param scanFrom           commit-log offset the scan started at (the checkpoint; the log's start when indexes were
 *                           rebuilt), -1 when clean and nothing was rebuilt
 * @param endOffset          the commit-log offset the next record goes to
 * @param recordsScanned     valid records read by the scan (and re-indexed)
 * @param bytesScanned       bytes of valid records read by the scan
 * @param truncation         what was cut, if the scan met a torn or corrupt record or a partial group
 * @param indexEntriesRemoved index entries dropped because they pointed past the end of the valid log
 * @param indexesRebuilt     persistence ids whose index did not match the commit log (lost files or directories,
 *                           see {@link IndexSummary}) and was rebuilt from it by a scan of the whole log; sorted
 * @param took               wall time of recovery
 */
public record RecoveryReport(boolean cleanShutdown, long scanFrom, long endOffset, long recordsScanned, long bytesScanned,
                             Optional<Truncation> truncation, long indexEntriesRemoved, List<String> indexesRebuilt, Duration took) {

    public RecoveryReport {
        indexesRebuilt = List.copyOf(indexesRebuilt);
    }

    /** Why the scan stopped before the end of the written data. */
    public enum Reason {
        /** The length field is impossible (too small, past the segment end, or inconsistent with the header). */
        BAD_LENGTH,
        /** The record's CRC32C does not match its bytes. */
        CRC_MISMATCH,
        /** Unknown record format version. */
        BAD_VERSION,
        /** The log ends inside an atomic group (no end-of-group record). */
        PARTIAL_GROUP,
        /**
         * Zeros where the next record should start, with a valid record after them (in the same segment or a later
         * one): pages written back out of order before a power loss. Zeros with nothing valid after them are the
         * normal end of the log.
         */
        ZEROS_BEFORE_RECORDS,
        /**
         * The log ends at an end-of-segment marker whose next segment file is missing, while index entries point into
         * it (records were there). A gap between segments, or a checkpoint beyond the newest segment, is not cut:
         * {@link MessageStore#open} refuses such a store, naming the missing files.
         */
        BAD_SEGMENT
    }

    /**
     * @param offset          commit-log offset where the log now ends (everything from here on was discarded)
     * @param reason          what was wrong at or after {@code offset}
     * @param droppedRecords  valid records discarded with a partial group
     * @param segmentsDeleted later segment files removed
     * @param discardedBytes  bytes that were not zero from {@code offset} to the end of its segment and in the deleted
     *                        later segments, up to the last non-zero byte of each (0 for {@code BAD_SEGMENT})
     * @param validRecordAt   for {@code ZEROS_BEFORE_RECORDS}: the offset of the first valid record found after the
     *                        zeros; -1 otherwise
     */
    public record Truncation(long offset, Reason reason, int droppedRecords, int segmentsDeleted, long discardedBytes,
                             long validRecordAt) {
    }
}
