package dev.ferry.replica;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.ferry.recovery.RecoverySlots;
import dev.ferry.recovery.TokenBucket;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * One node's peer-recovery resources (an ActorSystem extension, so each node of a multi-node test JVM has its own):
 * the live incoming and outgoing recovery slots, limited by {@code ferry.allocation.node-concurrent-incoming-recoveries}
 * / {@code -outgoing-recoveries} (dynamic cluster settings included once {@link #limits} is wired by the node), the
 * node-wide byte-rate cap shared by every recovery stream in and out, and a short history of recoveries and tail cuts
 * (diagnostics and tests). Thread-safe.
 */
public final class NodeRecoveries implements Extension {

    /** What one recovery did. {@code direction}: "incoming" on the replica's node, "outgoing" on the master's. */
    public record Record(String persistenceId, int copy, String direction, long fromSeq, long toSeq, long bytes,
                         long startedMillis, long endedMillis, String outcome) {}

    /** A replica cut its log after {@code keptSeq} (it held up to {@code highestSeq}) because the rest diverged. */
    public record Truncation(String persistenceId, int copy, long highestSeq, long keptSeq, long atMillis) {}

    private static final int HISTORY = 1000;

    public static final ExtensionId<NodeRecoveries> ID = new ExtensionId<>() {
        @Override public NodeRecoveries createExtension(ActorSystem<?> system) {
            return new NodeRecoveries(ReplicationSettings.fromConfig(system.settings().config()), system.settings().config());
        }
    };

    public static NodeRecoveries get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private final ReplicationSettings.Recovery settings;
    private volatile IntSupplier incomingLimit;
    private volatile IntSupplier outgoingLimit;
    private final RecoverySlots incoming;
    private final RecoverySlots outgoing;
    private final TokenBucket bucket;
    private final ArrayDeque<Record> records = new ArrayDeque<>();
    private final ArrayDeque<Truncation> truncations = new ArrayDeque<>();

    private NodeRecoveries(ReplicationSettings replication, com.typesafe.config.Config config) {
        this.settings = replication.recovery();
        int in = config.getInt("ferry.allocation.node-concurrent-incoming-recoveries");
        int out = config.getInt("ferry.allocation.node-concurrent-outgoing-recoveries");
        this.incomingLimit = () -> in;
        this.outgoingLimit = () -> out;
        this.incoming = new RecoverySlots(() -> incomingLimit.getAsInt());
        this.outgoing = new RecoverySlots(() -> outgoingLimit.getAsInt());
        this.bucket = new TokenBucket(settings.maxBytesPerSec(), settings.chunkSize(), System::nanoTime);
    }

    /** Reads the limits from here on (the node passes its allocation settings, which follow PUT /cluster/settings). */
    public void limits(IntSupplier incoming, IntSupplier outgoing) {
        this.incomingLimit = incoming;
        this.outgoingLimit = outgoing;
    }

    public ReplicationSettings.Recovery settings() {
        return settings;
    }

    public RecoverySlots incoming() {
        return incoming;
    }

    public RecoverySlots outgoing() {
        return outgoing;
    }

    /** The node's recovery byte-rate cap; every chunk sent or received by a recovery reserves its bytes here. */
    public TokenBucket bucket() {
        return bucket;
    }

    synchronized void record(Record r) {
        if (records.size() >= HISTORY) records.removeFirst();
        records.addLast(r);
    }

    synchronized void truncated(Truncation t) {
        if (truncations.size() >= HISTORY) truncations.removeFirst();
        truncations.addLast(t);
    }

    /** Finished recoveries (completed or failed), oldest first, the last 1000. */
    public synchronized List<Record> records() {
        return List.copyOf(records);
    }

    public synchronized List<Truncation> truncations() {
        return List.copyOf(truncations);
    }
}
