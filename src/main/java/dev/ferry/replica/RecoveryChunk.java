package dev.ferry.replica;

import dev.ferry.store.RecordRun;

import java.util.Objects;

/**
 * One element of a peer-recovery stream: consecutive records of the master's log, about chunk-size bytes, in the
 * commit log's own encoding (read with {@code MessageStore.readRun}, appended with {@code appendRun}), so neither end
 * decodes or re-encodes a record. Serialized by {@link RecoveryChunkSerializer} (the run's bytes as they are).
 */
public record RecoveryChunk(RecordRun run) {

    public RecoveryChunk {
        Objects.requireNonNull(run, "run");
    }

    /** Payload bytes: what the recovery throttle and the recovery records count. */
    public long bytes() {
        return run.payloadBytes();
    }

    public long lastSeq() {
        return run.lastSeq();
    }
}
