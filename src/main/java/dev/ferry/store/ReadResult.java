package dev.ferry.store;

import java.util.List;

/** What {@link MessageStore#read} found. */
public sealed interface ReadResult {

    /** The records in sequence order (possibly none: nothing in range, or the filter matched nothing). */
    record Records(List<StoredRecord> records) implements ReadResult {
        public Records {
            records = List.copyOf(records);
        }
    }

    /**
     * The requested start lies below what retention kept: the commit-log segments holding it are gone.
     * Reading again from {@code firstRetainedSequence} succeeds (it is highest + 1 if nothing is retained).
     */
    record BelowRetention(long firstRetainedSequence) implements ReadResult {
    }
}
