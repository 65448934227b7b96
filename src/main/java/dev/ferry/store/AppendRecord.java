package dev.ferry.store;

import java.util.Objects;

/**
 * One record to append. The payload array is copied into the log inside {@link MessageStore#append}, before it
 * returns, and not kept; the caller may reuse it as soon as append returns.
 *
 * @param persistenceId any non-empty string (it becomes part of a file name only through {@link IndexNames})
 * @param sequenceNr    greater than the id's highest sequence nr so far (gaps are allowed and read as absent)
 * @param tagHash       {@link TagFilter#hash(String)} of the record's tag, 0 for none
 * @param payload       the bytes to store
 */
public record AppendRecord(String persistenceId, long sequenceNr, int tagHash, byte[] payload) {
    public AppendRecord {
        Objects.requireNonNull(persistenceId, "persistenceId");
        Objects.requireNonNull(payload, "payload");
        if (persistenceId.isEmpty()) {
            throw new IllegalArgumentException("persistenceId must not be empty");
        }
        if (sequenceNr < 1) {
            throw new IllegalArgumentException("sequenceNr must be >= 1, was " + sequenceNr + " for " + persistenceId);
        }
    }
}
