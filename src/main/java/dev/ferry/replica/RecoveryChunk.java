package dev.ferry.replica;

import dev.ferry.cluster.CborSerializable;

import java.util.List;

/** One element of a peer-recovery stream: consecutive records of the master's log, about chunk-size bytes. */
public record RecoveryChunk(List<ShippedRecord> records) implements CborSerializable {

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
