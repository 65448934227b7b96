package dev.ferry.store;

/**
 * A record read back from the store.
 *
 * @param timestampMillis the store's clock when the record's group was appended
 */
public record StoredRecord(String persistenceId, long sequenceNr, long timestampMillis, int tagHash, byte[] payload) {
}
