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
 * node-wide byte-rate cap shared by every recovery stream in and out (dynamic: {@link #applyClusterSettings}), and a short history of recoveries and tail cuts
 * (diagnostics and tests). Thread-safe.
 */
public final class NodeRecoveries implements Extension {

    /** What one recovery did. {@code direction}: "incoming" on the replica's node, "outgoing" on the master's. */
    public record Record(String persistenceId, int copy, String direction, long fromSeq, long toSeq, long bytes,
                         long startedMillis, long endedMillis, String outcome) {}

    /**
     * A recovery under way (ES {@code _cat/recovery?active_only}): {@code bytes} counts what it has moved so far.
     * {@code relocation}: a relocation target's copy made before the replica moves there.
     */
    public record Active(String persistenceId, int copy, String direction, long fromSeq, long startedMillis,
                         java.util.concurrent.atomic.AtomicLong bytes, boolean relocation) {}

    /** A replica cut its log after {@code keptSeq} (it held up to {@code highestSeq}) because the rest diverged. */
    public record Truncation(String persistenceId, int copy, long highestSeq, long keptSeq, long atMillis) {}

    private static final int HISTORY = 1000;

    public static final ExtensionId<NodeRecoveries> ID = new ExtensionId<>() {
        @Override public NodeRecoveries createExtension(ActorSystem<?> system) {
            return new NodeRecoveries(ReplicationSettings.fromConfig(system.settings().config()), system.settings().config(), system.log());
        }
    };

    public static NodeRecoveries get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private final ReplicationSettings.Recovery configured;
    private final long maxChunkSize;
    private final org.slf4j.Logger log;
    private volatile ReplicationSettings.Recovery settings;
    private volatile IntSupplier incomingLimit;
    private volatile IntSupplier outgoingLimit;
    private final RecoverySlots incoming;
    private final RecoverySlots outgoing;
    private final TokenBucket bucket;
    private final ArrayDeque<Record> records = new ArrayDeque<>();
    private final ArrayDeque<Truncation> truncations = new ArrayDeque<>();
    private final java.util.Set<Active> active = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private NodeRecoveries(ReplicationSettings replication, com.typesafe.config.Config config, org.slf4j.Logger log) {
        this.configured = replication.recovery();
        this.settings = configured;
        this.maxChunkSize = RecoverySettings.maxChunkSize(config);
        this.log = log;
        int in = config.getInt("ferry.allocation.node-concurrent-incoming-recoveries");
        int out = config.getInt("ferry.allocation.node-concurrent-outgoing-recoveries");
        this.incomingLimit = () -> in;
        this.outgoingLimit = () -> out;
        this.incoming = new RecoverySlots(() -> incomingLimit.getAsInt());
        this.outgoing = new RecoverySlots(() -> outgoingLimit.getAsInt());
        this.bucket = new TokenBucket(configured.maxBytesPerSec(), configured.chunkSize(), System::nanoTime);
    }

    /** Reads the limits from here on (the node passes its allocation settings, which follow PUT /cluster/settings). */
    public void limits(IntSupplier incoming, IntSupplier outgoing) {
        this.incomingLimit = incoming;
        this.outgoingLimit = outgoing;
    }

    /** The recovery settings in effect: the node's config overridden by the dynamic cluster settings. */
    public ReplicationSettings.Recovery settings() {
        return settings;
    }

    /** The node's configured recovery settings (what a reset of the dynamic ones returns to). */
    public ReplicationSettings.Recovery configured() {
        return configured;
    }

    /**
     * Applies the dynamic cluster settings (all of them, as PUT /cluster/settings left them; only
     * {@link RecoverySettings#DYNAMIC} keys matter): a changed {@code max-bytes-per-sec} or {@code chunk-size} goes to
     * the bucket at once, so chunks already waiting in running recoveries follow it; a removed key returns to the
     * node's configured value. A value this node cannot use (PUT validates, but a node with a smaller frame size may
     * disagree on chunk-size) is logged and the configured value kept for that key.
     */
    public synchronized void applyClusterSettings(java.util.Map<String, String> cluster) {
        java.util.Map<String, String> usable = new java.util.HashMap<>(cluster);
        ReplicationSettings.Recovery next = null;
        while (next == null) {
            try {
                next = RecoverySettings.effective(configured, usable, maxChunkSize);
            } catch (RecoverySettings.InvalidValue e) {
                log.warn("ignoring the dynamic cluster setting [{}], keeping this node's configured value: {}", e.key(), e.getMessage());
                usable.remove(e.key());
            }
        }
        if (next.equals(settings)) return;
        settings = next;
        bucket.setRate(next.maxBytesPerSec(), next.chunkSize());
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

    /** Notes a recovery that has started moving data; {@link #ended} takes it off (before its {@link Record}). */
    Active started(String persistenceId, int copy, String direction, long fromSeq, java.util.concurrent.atomic.AtomicLong bytes,
                   boolean relocation) {
        Active a = new Active(persistenceId, copy, direction, fromSeq, System.currentTimeMillis(), bytes, relocation);
        active.add(a);
        return a;
    }

    void ended(Active a) {
        if (a != null) active.remove(a);
    }

    /** Recoveries under way on this node, in and out. */
    public List<Active> active() {
        return List.copyOf(active);
    }

    /** Finished recoveries (completed or failed), oldest first, the last 1000. */
    public synchronized List<Record> records() {
        return List.copyOf(records);
    }

    public synchronized List<Truncation> truncations() {
        return List.copyOf(truncations);
    }
}
