package dev.ferry.replica;

import java.util.List;

/**
 * One element of a peer-recovery stream: consecutive records of the master's log, about chunk-size bytes.
 * Serialized by {@link RecoveryChunkSerializer} (binary), not Jackson.
 */
public record RecoveryChunk(List<ShippedRecord> records) {

    public RecoveryChunk {
        records = List.copyOf(records);
    }

    /** Payload bytes: what the recovery throttle counts. */
    public long bytes() {
        long b = 0;
        for (ShippedRecord r : records) b += r.payload().length;
        return b;
    }

    public long lastSeq() {
        return records.isEmpty() ? 0 : records.get(records.size() - 1).sequenceNr();
    }
}
