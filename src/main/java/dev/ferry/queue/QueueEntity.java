package dev.ferry.queue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicState;
import dev.ferry.cluster.CborSerializable;
import dev.ferry.node.FerryMetrics;
import dev.ferry.replica.LocalWriters;
import dev.ferry.replica.Replica;
import dev.ferry.replica.ReplicationSettings;
import dev.ferry.replica.ShippedRecord;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Queue entity: the master copy of one queue (entity id {@code topic/queueId}).
 *
 * <p>Producers' {@link Append} commands are buffered here while a journal write is in flight; when the write
 * completes, everything buffered goes to the persistent child {@link QueueLog} as ONE batch (one persistAll, one
 * journal write), so the write rate is bounded by journal round trips, not by messages. Each message's offset is its
 * sequence number in the queue's persistence id minus one; producers are answered once their batch is stored
 * (flush mode = the journal plugin the child writes through).
 *
 * <p>Consumers' {@link Read}s are served from the newest messages kept in memory ({@link TailCache}), older offsets
 * by replaying that range from the journal ({@link StoreReader}); a read at the end of the queue with a wait parks
 * until messages arrive or the wait ends (RocketMQ's long polling).
 *
 * <p>Start-up: ask the topic's Broker for the topic (authoritative), then start the log, which recovers, then serve.
 * Everything that arrives meanwhile waits.
 */
public final class QueueEntity extends AbstractBehavior<QueueEntity.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "queue");

    public static String entityId(String topic, int queueId) {
        return topic + "/" + queueId;
    }

    // ---------------------------------------------------------------- protocol

    public sealed interface Command extends CborSerializable {}

    /** Start (if not running) — sent by the Broker so sharding places the queue as soon as the topic exists. */
    public record Wake() implements Command {}

    public record Append(List<StoredMessage> messages, ActorRef<AppendReply> replyTo) implements Command {}

    /**
     * Messages at or after {@code offset} matching {@code filter}, at most {@code max} of them and, past the first, no
     * more than {@code maxBytes} ({@link ReadBudget}); if there are none yet, wait up to {@code waitMs} for them.
     */
    public record Read(long offset, int max, long maxBytes, TagFilter filter, long waitMs, ActorRef<ReadReply> replyTo) implements Command {
        ReadBudget budget() {
            return new ReadBudget(max, maxBytes);
        }
    }

    public record GetStats(ActorRef<Stats> replyTo) implements Command {}

    public record TopicDeleted() implements Command {}

    /**
     * Sharding's stop message (hand-off on rebalance or graceful leave, passivation): the entity first stores
     * everything already accepted and answers its producers, then stops, so a move never leaves a producer guessing.
     */
    public record Stop() implements Command {}

    private record TopicLoaded(Broker.Reply reply, Throwable failure) implements Command {}

    private record TopicChanged(TopicState state) implements Command {}

    private record LogEvent(QueueLog.Event event) implements Command {}

    private record ReadExpired(long id) implements Command {}

    private record StoreReadDone(Read read, ReadBudget budget, ReadPosition.Status status, QueueStore.Result result, Throwable failure) implements Command {}

    private record Retry() implements Command {}

    /**
     * A replica's position in this master's log: {@code durableSeq} is stored as durably as the topic's flush mode
     * asks; {@code highestSeq} is its end; {@code gap} = the last shipment did not continue its log (ship from its end);
     * {@code node} is where this copy's data lives (the in-sync set the Broker records names it, see writeInSync).
     */
    public record ReplicaAck(int copy, long term, long durableSeq, long highestSeq, boolean gap, String node) implements Command {}

    /** A replica has seen a newer term than the shipment's: this master is stale. */
    public record ReplicaRefused(int copy, long term) implements Command {}

    /**
     * A replica compares entries of its log with this master's ({@link dev.ferry.recovery.DivergenceSearch}): the
     * master answers {@link Replica.LogCompared} with a verdict per entry and its own end.
     */
    public record CompareLog(int copy, long term, long checkId, List<Long> seqs, List<Long> fingerprints,
                             ActorRef<Replica.Command> replyTo) implements Command {}

    /**
     * A replica asks for a peer recovery: this master's log from {@code fromSeq}, as a stream
     * ({@link Replica.RecoveryOffer}), or {@link Replica.RecoveryRefused} when its node serves enough recoveries.
     */
    public record StartRecovery(int copy, long term, long recoveryId, long fromSeq, ActorRef<Replica.Command> replyTo) implements Command {}

    private record RecoveryEnded(int copy, long recoveryId) implements Command {}

    /**
     * A node about to receive replica {@code copy} copies this master's log before the replica moves there
     * ({@link dev.ferry.replica.RelocationTargets}): the log from {@code fromSeq} as a recovery stream, answered with a
     * {@link RelocationCopyOffer}. The copy's slot is not touched: its replica keeps serving, in sync, until it moves.
     */
    public record StartRelocationCopy(int copy, long term, long fromSeq, String node, ActorRef<RelocationCopyOffer> replyTo) implements Command {}

    /** The stream for a {@link StartRelocationCopy}, or {@code refusal} (and no source) saying why not now. */
    public record RelocationCopyOffer(long term, akka.stream.SourceRef<dev.ferry.replica.RecoveryChunk> source, String refusal)
            implements CborSerializable {}

    private record RelocationCopyEnded(akka.stream.UniqueKillSwitch kill) implements Command {}

    /**
     * A Replica entity (re)started — on a new node after a relocation, or after a restart — holding its log up to
     * {@code highestSeq}: whatever this master knew of that copy is stale. Sent through sharding.
     */
    public record ReplicaStarted(int copy, String node, long highestSeq, ActorRef<Replica.Command> replica) implements Command {}

    private record WriterHandedOver(Replica.HandedOver h) implements Command {}

    private record RetryClaim() implements Command {}

    private record Promoted(Broker.Reply reply, Throwable failure) implements Command {}

    private record InSyncReply(Broker.Reply reply, Throwable failure) implements Command {}

    private record Tick() implements Command {}

    public sealed interface AppendReply extends CborSerializable {}

    /** The batch is stored; its messages have offsets firstOffset, firstOffset+1, ... in the order sent. */
    public record Appended(int queueId, long firstOffset) implements AppendReply {}

    /** Not stored; {@code status} is the HTTP status to answer with. */
    public record AppendRejected(int status, String error, String detail) implements AppendReply {}

    public sealed interface ReadReply extends CborSerializable {}

    /**
     * @param nextOffset where the next read should start (past everything scanned, matching or not; maxOffset after an
     *                   offset beyond the queue's end)
     * @param maxOffset  the end of what consumers may read: the committed offset (high-water mark) of a sync topic,
     *                   the master's end (RocketMQ maxOffset) of an async one
     * @param copy       the copy that served the read: 0 = the master, n = replica n
     * @param status     what the requested offset was relative to the queue
     */
    public record Messages(int queueId, long minOffset, long maxOffset, long nextOffset, List<QueueMessage> messages, int copy,
                           ReadPosition.Status status) implements ReadReply {}

    public record ReadRejected(int status, String error, String detail) implements ReadReply {}

    /**
     * @param writes          journal writes (batches) this incarnation made: messages per write = how well appends batch
     * @param committedOffset the high-water mark: consumers read below it (= maxOffset for async topics)
     */
    public record Stats(int queueId, long minOffset, long maxOffset, String node, boolean ready, long writes, long committedOffset)
            implements CborSerializable {}

    /** Settings a queue needs from the node. */
    public record Settings(String nodeName, int maxBatchMessages, long readCacheBytes, Duration askTimeout,
                           ReplicationSettings replication) {}

    // ---------------------------------------------------------------- behaviour

    public static Behavior<Command> create(EntityContext<Command> entity, Settings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new QueueEntity(ctx, timers, entity, settings)));
    }

    private static final long STORE_SCAN_LIMIT = 10_000;
    private static final int WARM_MESSAGES = 1024;

    private final TimerScheduler<Command> timers;
    private final EntityContext<Command> entity;
    private final Settings settings;
    private final String topic;
    private final int queueId;
    private final ArrayDeque<Append> pending = new ArrayDeque<>();
    private final List<Read> waitingForLog = new ArrayList<>();
    /** Stats asked for before the log recovered: answered once it has, so nobody sees a queue's offsets as 0. */
    private final List<GetStats> statsWaitingForLog = new ArrayList<>();
    private static final int MAX_STATS_WAITING = 256;
    private final Map<Long, Parked> parked = new HashMap<>();
    private final ReplicatorMessageAdapter<Command, LWWRegister<TopicState>> replicator;
    private List<Append> inFlight = List.of();
    private TopicState topicState;
    private ActorRef<QueueLog.Command> log;
    private TailCache cache;
    private boolean ready;
    private boolean deleted;
    private long nextOffset;
    private long minOffset;
    private long readIds;
    private long writes;
    private boolean stopping;
    private String logPluginId;
    private QueueStore store;
    private final java.util.concurrent.Executor blocking;
    private final LocalMasters localMasters;

    // replication (docs/replication.md)
    private long term;
    private long termStartSeq;
    private boolean holdsWriter;
    private boolean claiming;
    private boolean fenced;
    private java.nio.file.Path storeDir;
    private String writerPid;
    private final Map<Integer, ReplicaState> replicas = new HashMap<>();
    /** Streams copying this log to relocation targets (aborted when this master stops). */
    private final Set<akka.stream.UniqueKillSwitch> relocationCopies = new java.util.HashSet<>();
    /** Replicas this master counts as in sync; a sync send waits for desired and confirmed alike. */
    private final Set<Integer> desiredInSync = new TreeSet<>();
    /** The in-sync replicas a majority has in the Broker's routing state (promotion picks from these). */
    private final Set<Integer> confirmedInSync = new TreeSet<>();
    private boolean inSyncWriteInFlight;
    /**
     * An in-sync write was not confirmed (timeout, no majority): the Broker may hold it anyway, so the routing state is
     * unknown until a write is confirmed. Keep writing the desired set even when it equals the last confirmed one.
     */
    private boolean inSyncUnknown;
    /** Slot -> node as the last route this master had confirmed (promotion, in-sync write) named it. */
    private Map<Integer, String> confirmedNodes = Map.of();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /**
     * The high-water mark, as a sequence number: every in-sync copy holds the log up to it durably (sync topics;
     * async: the master's end). Consumers read only below it (offsets < committed). Never goes back.
     */
    private long committed;

    /** What the master knows of one replica; -1 = not heard from in this term. */
    private static final class ReplicaState {
        long sent = -1;
        long durable = -1;
        long caughtUpAt;
        long lastHeard;
        long committedSent;
        /** When this master last probed it, and how many probes in a row went unanswered (the next waits longer). */
        long lastProbe;
        int unanswered;
        /** Too far behind for shipments: it catches up by peer recovery, which it asks for. */
        boolean needsRecovery;
        /** A recovery stream to it runs (shipments wait). */
        boolean recovering;
        long recoveryId;
        akka.stream.UniqueKillSwitch recoveryKill;
        /** The Replica entity incarnation this master last heard from (hello, comparison, recovery request). */
        ActorRef<Replica.Command> incarnation;
        /** The node the copy this master last heard from runs on (null until it answered). */
        String node;
        /** Shipments sent and not yet acknowledged durable, oldest first: {last seq, payload bytes}. */
        final java.util.ArrayDeque<long[]> unacked = new java.util.ArrayDeque<>();
        long unackedBytes;

        /**
         * Brings the unacknowledged shipments in line with {@code durable} (acknowledged ones leave) and {@code sent}
         * (one past a position reset back to the replica's end was superseded: it is shipped again).
         */
        void settleUnacked() {
            while (!unacked.isEmpty() && unacked.peekFirst()[0] <= durable) unackedBytes -= unacked.pollFirst()[1];
            while (!unacked.isEmpty() && unacked.peekLast()[0] > sent) unackedBytes -= unacked.pollLast()[1];
        }

        void shipped(long lastSeq, long bytes) {
            unacked.addLast(new long[]{lastSeq, bytes});
            unackedBytes += bytes;
        }

        ReplicaState(long now) {
            caughtUpAt = now;
            lastHeard = now - 1_000_000;
        }
    }

    /** A stored batch whose producers wait for the in-sync replicas (replication = sync). */
    private record Waiting(long lastSeq, List<Append> appends, long firstOffset) {}

    private QueueEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers, EntityContext<Command> entity, Settings settings) {
        super(ctx);
        this.timers = timers;
        this.entity = entity;
        this.settings = settings;
        String id = entity.getEntityId();
        int slash = id.lastIndexOf('/');
        this.topic = id.substring(0, slash);
        this.queueId = Integer.parseInt(id.substring(slash + 1));
        this.cache = new TailCache(settings.readCacheBytes());
        this.blocking = ctx.getSystem().dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking());
        this.replicator = new ReplicatorMessageAdapter<>(ctx, DistributedData.get(ctx.getSystem()).replicator(), settings.askTimeout());
        replicator.subscribe(Broker.key(topic), rsp -> rsp instanceof Replicator.Changed<LWWRegister<TopicState>> c
                ? new TopicChanged(c.get(Broker.key(topic)).getValue()) : new Retry());
        loadTopic();
        FerryMetrics.COPIES.labels("master").inc();
        this.localMasters = LocalMasters.get(ctx.getSystem());
        localMasters.register(entity.getEntityId(), ctx.getSelf());
    }

    /** From now on this node's sends reach this queue through sharding (see {@link LocalMasters}). */
    private void leaveLocalMasters() {
        localMasters.leave(entity.getEntityId(), getContext().getSelf());
    }

    private void loadTopic() {
        var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        getContext().ask(Broker.Reply.class, broker, settings.askTimeout(), Broker.Get::new, TopicLoaded::new);
    }

    @Override public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wake.class, w -> this)
                .onMessage(Append.class, this::onAppend)
                .onMessage(Read.class, this::onRead)
                .onMessage(GetStats.class, this::onGetStats)
                .onMessage(TopicLoaded.class, this::onTopicLoaded)
                .onMessage(TopicChanged.class, this::onTopicChanged)
                .onMessage(TopicDeleted.class, d -> onDeleted())
                .onMessage(Stop.class, st -> {
                    stopping = true;
                    leaveLocalMasters(); // later sends wait in sharding
                    return stopIfDone();
                })
                .onMessage(LogEvent.class, this::onLogEvent)
                .onMessage(ReadExpired.class, this::onReadExpired)
                .onMessage(StoreReadDone.class, this::onStoreRead)
                .onMessage(Retry.class, r -> this)
                .onMessage(RetryPromote.class, r -> {
                    if (log == null && holdsWriter && !deleted && !fenced) promote();
                    return this;
                })
                .onMessage(RetryLoad.class, r -> {
                    if (log == null && !deleted) loadTopic();
                    return this;
                })
                .onMessage(ReplicaAck.class, this::onReplicaAck)
                .onMessage(ReplicaRefused.class, r -> r.term() > term ? fence("replica " + r.copy() + " has seen term " + r.term()) : this)
                .onMessage(WriterHandedOver.class, h -> {
                    timers.cancel("claim");
                    committed = Math.max(committed, h.h().committedSeq()); // what the promoted replica knew was committed
                    if (!holdsWriter && !deleted) claimWriter();
                    return this;
                })
                .onMessage(RetryClaim.class, r -> {
                    if (!holdsWriter && !deleted && !fenced) claimWriter();
                    return this;
                })
                .onMessage(Promoted.class, this::onPromoted)
                .onMessage(InSyncReply.class, this::onInSyncReply)
                .onMessage(Tick.class, t -> onTick())
                .onMessage(ReplicaStarted.class, this::onReplicaStarted)
                .onMessage(CompareLog.class, this::onCompareLog)
                .onMessage(StartRecovery.class, this::onStartRecovery)
                .onMessage(StartRelocationCopy.class, this::onStartRelocationCopy)
                .onMessage(RelocationCopyEnded.class, e -> {
                    relocationCopies.remove(e.kill());
                    return this;
                })
                .onMessage(RecoveryEnded.class, e -> {
                    ReplicaState rs = replicas.get(e.copy());
                    if (rs != null && rs.recoveryId == e.recoveryId()) {
                        rs.recovering = false;
                        rs.recoveryKill = null;
                    }
                    return this;
                })
                .onSignal(Terminated.class, this::onLogTerminated)
                .onSignal(akka.actor.typed.PostStop.class, s -> {
                    leaveLocalMasters();
                    replicas.values().forEach(rs -> { if (rs.recoveryKill != null) rs.recoveryKill.abort(new IllegalStateException("master stopped")); });
                    relocationCopies.forEach(k -> k.abort(new IllegalStateException("master stopped")));
                    if (holdsWriter) LocalWriters.release(storeDir, writerPid, getContext().getSelf());
                    FerryMetrics.COPIES.labels("master").dec();
                    return this;
                })
                .build();
    }

    // ---------------------------------------------------------------- start-up

    private Behavior<Command> onTopicLoaded(TopicLoaded l) {
        if (l.failure() != null) {
            getContext().getLog().warn("queue {}/{}: broker did not answer ({}), retrying", topic, queueId, l.failure().toString());
            timers.startSingleTimer(new RetryLoad(), Duration.ofSeconds(1));
            return this;
        }
        if (l.reply() instanceof Broker.TopicReply t) {
            topicState = t.state();
            if (log == null && holdsWriter && term > 0) startLog(); // after a journal failure: same term, same writer
            else if (log == null && !claiming && !holdsWriter) claimWriter();
            return this;
        }
        return onDeleted();
    }

    private record RetryLoad() implements Command {}

    private record RetryPromote() implements Command {}

    // ---------------------------------------------------------------- becoming master

    /**
     * Takes this node's writer lease for the queue's persistence id before anything writes it. A Replica of this
     * queue on this node (the copy being promoted) holds it: ask it to hand over, and try again once it answered.
     */
    private void claimWriter() {
        claiming = true;
        writerPid = topicState.persistenceId(queueId);
        storeDir = dev.ferry.journal.FerryJournalSettings.fromConfig(getContext().getSystem().settings().config()
                .getConfig(topicState.settings().flush().journalPluginId())).dir().toAbsolutePath().normalize();
        var holder = LocalWriters.tryAcquire(storeDir, writerPid, getContext().getSelf(), true);
        if (holder.isEmpty()) {
            holdsWriter = true;
            claiming = false;
            promote();
            return;
        }
        if (!holder.get().master()) {
            @SuppressWarnings("unchecked")
            ActorRef<Replica.Command> replica = (ActorRef<Replica.Command>) holder.get().owner();
            replica.tell(new Replica.HandOver(getContext().messageAdapter(Replica.HandedOver.class, WriterHandedOver::new)));
        }
        timers.startSingleTimer("claim", new RetryClaim(), Duration.ofSeconds(1));
    }

    /** Asks the Broker for a new term on this node; the log starts only once a majority has the new route. */
    private void promote() {
        var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        getContext().ask(Broker.Reply.class, broker, settings.askTimeout(),
                r -> new Broker.Promote(queueId, settings.nodeName(), r), Promoted::new);
    }

    private Behavior<Command> onPromoted(Promoted p) {
        if (p.reply() instanceof Broker.RouteReply r) {
            term = r.route().term();
            confirmedNodes = r.route().nodes();
            confirmedInSync.clear();
            r.route().inSync().forEach(c -> { if (c != 0) confirmedInSync.add(c); });
            desiredInSync.clear();
            desiredInSync.addAll(confirmedInSync);
            getContext().getLog().info("queue {}/{}: master on {} with term {}, in sync {}", topic, queueId, settings.nodeName(), term, confirmedInSync);
            startLog();
            return this;
        }
        if (p.reply() instanceof Broker.NotFound) return onDeleted();
        getContext().getLog().warn("queue {}/{}: not promoted yet ({}), retrying", topic, queueId,
                p.failure() != null ? p.failure().toString() : p.reply());
        timers.startSingleTimer("promote", new RetryPromote(), Duration.ofSeconds(1));
        return this;
    }

    private void startLog() {
        logPluginId = topicState.settings().flush().journalPluginId();
        store = new QueueStore(getContext().getSystem(), logPluginId);
        ActorRef<QueueLog.Event> events = getContext().messageAdapter(QueueLog.Event.class, LogEvent::new);
        log = getContext().spawn(QueueLog.create(topicState.persistenceId(queueId), logPluginId, events),
                "log-" + (++readIds));
        getContext().watch(log);
    }

    private Behavior<Command> onTopicChanged(TopicChanged c) {
        TopicState s = c.state();
        if (s.deleted()) return onDeleted();
        if (topicState != null && s.incarnation() == topicState.incarnation()) {
            topicState = s;
            if (term > 0 && queueId < s.queues().size() && s.queues().get(queueId).term() > term)
                return fence("the topic's routing state names a newer master (term " + s.queues().get(queueId).term() + ")");
            if (term > 0 && queueId < s.queues().size() && s.queues().get(queueId).term() == term) forgetRestartedReplicas(s.queues().get(queueId));
            // A new flush mode means a new journal plugin: restart the log on it once no write is in flight.
            if (log != null && ready && !s.settings().flush().journalPluginId().equals(logPluginId) && inFlight.isEmpty()) restartLog();
        }
        return this;
    }

    /**
     * The Broker drops a replica slot from the in-sync set on its own only when the slot starts on another node (a
     * relocation: a new, empty copy). Such a replica is not in sync until it catches up, even if its position looks
     * like its predecessor's (an empty queue): forget what the old copy confirmed and write the smaller set, so the
     * new copy rejoins — and becomes promotable — once it holds everything.
     */
    private void forgetRestartedReplicas(dev.ferry.broker.QueueRoute route) {
        if (inSyncWriteInFlight || inSyncUnknown) return; // the Broker's set may be our own write in progress
        for (int c : new ArrayList<>(desiredInSync)) {
            // Only a slot that moved: an older state delivered after our own confirmed write names the same node.
            if (!confirmedInSync.contains(c) || route.inSync().contains(c)
                    || java.util.Objects.equals(route.nodes().get(c), confirmedNodes.get(c))) continue;
            getContext().getLog().info("queue {}/{}: replica {} started anew on {}; in sync again once caught up", topic, queueId, c,
                    route.nodes().getOrDefault(c, "?"));
            desiredInSync.remove(c);
            ReplicaState rs = replicas.get(c);
            if (rs != null) {
                rs.durable = -1;
                rs.sent = -1;
            }
        }
        writeInSync();
    }

    private void restartLog() {
        ready = false;
        getContext().stop(log);
    }

    private Behavior<Command> onLogEvent(LogEvent e) {
        if (e.event() instanceof QueueLog.Ready r) {
            nextOffset = r.nextOffset();
            cache = new TailCache(settings.readCacheBytes());
            String pid = topicState.persistenceId(queueId);
            minOffset = store.minOffset(pid, nextOffset);
            warmCache(pid);
            ready = true;
            committed = Math.min(committed, nextOffset);
            advanceCommitted();
            FerryMetrics.RECOVERIES.inc();
            if (replicas.isEmpty() && !timers.isTimerActive("tick")) startReplication();
            getContext().getLog().debug("queue {}/{} ready at offset {}", topic, queueId, nextOffset);
            List<Read> waiting = new ArrayList<>(waitingForLog);
            waitingForLog.clear();
            waiting.forEach(this::onRead);
            answerStatsWaiting();
            writeNext();
        } else if (e.event() instanceof QueueLog.Stored s) {
            long offset = s.firstOffset();
            long before = nextOffset;
            for (StoredMessage m : s.messages()) cache.add(new QueueMessage(offset++, m));
            nextOffset = offset;
            boolean sync = topicState.settings().replication() == dev.ferry.broker.TopicSettings.Replication.SYNC;
            waiting.add(new Waiting(nextOffset, inFlight, s.firstOffset()));
            if (!sync) releaseWaiting(true);
            inFlight = List.of();
            long now = System.currentTimeMillis();
            // A replica that had everything before this batch was in sync until now: its lag is measured from here.
            replicas.values().forEach(rs -> { if (rs.durable >= before) rs.caughtUpAt = now; });
            replicas.keySet().forEach(this::pump);
            releaseWaiting(false);
            advanceCommitted();
            if (topicState != null && !topicState.settings().flush().journalPluginId().equals(logPluginId)) restartLog();
            else writeNext();
            return stopIfDone();
        }
        return this;
    }

    /**
     * Fills the read cache with the newest messages, so consumers that were keeping up stay off the store. Read back
     * from the end one at a time, only as many as the cache holds: the cache must end at nextOffset, and a batch read
     * of the last WARM_MESSAGES would hold them all in memory at once, however large they are.
     */
    private void warmCache(String pid) {
        ArrayDeque<QueueMessage> newest = new ArrayDeque<>();
        long bytes = 0;
        for (long o = nextOffset - 1; o >= Math.max(minOffset, nextOffset - WARM_MESSAGES); o--) {
            List<QueueMessage> one = store.read(pid, o, o + 1, new ReadBudget(1, 1), 1, TagFilter.ALL).messages();
            if (one.isEmpty()) continue;
            bytes += ReadBudget.size(one.get(0).message());
            if (bytes > settings.readCacheBytes() && !newest.isEmpty()) break;
            newest.addFirst(one.get(0));
        }
        newest.forEach(cache::add);
    }

    private Behavior<Command> onLogTerminated(Terminated t) {
        if (!t.getRef().equals(log)) return this;
        boolean failed = t instanceof akka.actor.typed.ChildFailed;
        log = null;
        ready = false;
        if (failed) {
            getContext().getLog().error("queue {}/{}: journal failed, rejecting in-flight writes and recovering", topic, queueId,
                    ((akka.actor.typed.ChildFailed) t).getCause());
            for (Append a : inFlight) a.replyTo().tell(new AppendRejected(503, "journal_failed",
                    "the queue's journal write failed; the messages may or may not be stored, retry"));
            inFlight = List.of();
            timers.startSingleTimer(new RetryLoad(), Duration.ofSeconds(1));
        } else if (!deleted) {
            startLog();
        }
        return this;
    }

    private Behavior<Command> stopIfDone() {
        if (!stopping) return this;
        if (ready && !fenced && (!inFlight.isEmpty() || !pending.isEmpty() || !waiting.isEmpty())) return this; // still storing what was accepted
        // A hand-over (drain, graceful leave): with async replication too, every in-sync replica gets what this master
        // acknowledged before it stops, so the copy promoted next has it. A replica that stops answering leaves the
        // in-sync set after in-sync-timeout, which ends the wait.
        if (ready && !fenced && !deleted && !confirmedByInSync(nextOffset)) return this;
        String detail = "queue " + topic + "/" + queueId + " is moving to another node; retry";
        waiting.forEach(w -> w.appends().forEach(a -> a.replyTo().tell(new AppendRejected(503, "unavailable",
                detail + " (stored on the master, not confirmed by every in-sync replica)"))));
        waiting.clear();
        pending.forEach(a -> a.replyTo().tell(new AppendRejected(503, "unavailable", detail)));
        inFlight.forEach(a -> a.replyTo().tell(new AppendRejected(503, "unavailable", detail + " (the write may have been stored)")));
        parked.values().forEach(p -> p.read().replyTo().tell(messages(List.of(), Math.max(p.read().offset(), committed), p.status())));
        waitingForLog.forEach(r -> r.replyTo().tell(new ReadRejected(503, "unavailable", detail)));
        answerStatsWaiting();
        return Behaviors.stopped();
    }

    // ---------------------------------------------------------------- writes

    private Behavior<Command> onAppend(Append a) {
        if (fenced) {
            a.replyTo().tell(new AppendRejected(503, "not_master", "queue " + topic + "/" + queueId + " has a newer master; retry"));
            return this;
        }
        if (deleted) {
            a.replyTo().tell(new AppendRejected(404, "topic_not_found", "topic " + topic + " was deleted"));
            return this;
        }
        pending.add(a);
        if (ready && inFlight.isEmpty()) writeNext();
        return this;
    }

    private void writeNext() {
        if (pending.isEmpty() || !ready || !inFlight.isEmpty()) return;
        List<Append> batch = new ArrayList<>();
        List<StoredMessage> messages = new ArrayList<>();
        while (!pending.isEmpty() && (messages.isEmpty() || messages.size() + pending.peek().messages().size() <= settings.maxBatchMessages())) {
            Append a = pending.poll();
            batch.add(a);
            messages.addAll(a.messages());
        }
        inFlight = batch;
        writes++;
        log.tell(new QueueLog.PersistBatch(messages));
    }

    // ---------------------------------------------------------------- replication

    private void startReplication() {
        termStartSeq = nextOffset; // offsets are sequence numbers - 1, so the highest sequence number is nextOffset
        long now = System.currentTimeMillis();
        for (int c = 1; c <= topicState.settings().replicas(); c++) {
            replicas.put(c, new ReplicaState(now));
            probe(c);
        }
        timers.startTimerWithFixedDelay("tick", new Tick(), settings.replication().probeInterval());
    }

    /**
     * Records go straight to the Replica incarnation this master compared logs with: through sharding, every shipment
     * paid a hop through this node's region, the replica node's region and its shard (traced in session 4: 1.2-1.4 ms
     * p50 master to replica vs 0.5-0.7 ms for the direct ack back, BENCHMARKS.md). Probes still go through sharding: they find (and
     * start) whatever incarnation speaks for the slot now. A shipment lost to a stopped incarnation only delays: the
     * slot's next incarnation says hello, and a silent replica is probed every probe-interval.
     */
    private void ship(int copy, long prevSeq, List<ShippedRecord> records) {
        boolean syncFlush = topicState.settings().flush() == dev.ferry.broker.TopicSettings.Flush.SYNC;
        var shipment = new Replica.Ship(term, termStartSeq, prevSeq, records, syncFlush, committed, getContext().getSelf());
        ReplicaState rs = replicas.get(copy);
        if (rs != null && rs.incarnation != null && !records.isEmpty()) rs.incarnation.tell(shipment);
        else ClusterSharding.get(getContext().getSystem()).entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, queueId, copy)).tell(shipment);
        if (rs != null) rs.committedSent = committed;
    }

    /** An empty shipment: the replica answers with its position (and learns this master's term). */
    private void probe(int copy) {
        ship(copy, nextOffset, List.of());
    }

    /** Ships to {@code copy} what it has not been sent yet, from the store, within the unacknowledged window. */
    private void pump(int copy) {
        ReplicaState rs = replicas.get(copy);
        if (rs == null || rs.sent < 0 || !ready || rs.recovering || rs.needsRecovery) return;
        var rep = settings.replication();
        String pid = topicState.persistenceId(queueId);
        try {
            rs.settleUnacked();
            // Bounded in records and in bytes: a shipment is one remote message (Artery drops one above its frame size),
            // and what waits for acknowledgement is held by Artery's buffers on this node.
            while (rs.sent < nextOffset && rs.sent - Math.max(rs.durable, 0) < rep.maxUnackedRecords() && rs.unackedBytes < rep.maxUnackedBytes()) {
                long from = rs.sent + 1;
                ReadResult r = store.raw().read(pid, from, nextOffset, rep.maxShipmentRecords(), rep.maxShipmentBytes(), dev.ferry.store.TagFilter.ALL);
                if (r instanceof ReadResult.BelowRetention below)
                    r = store.raw().read(pid, below.firstRetainedSequence(), nextOffset, rep.maxShipmentRecords(), rep.maxShipmentBytes(), dev.ferry.store.TagFilter.ALL);
                if (!(r instanceof ReadResult.Records recs) || recs.records().isEmpty()) return;
                List<ShippedRecord> out = new ArrayList<>(recs.records().size());
                long bytes = 0;
                for (StoredRecord sr : recs.records()) {
                    out.add(new ShippedRecord(sr.sequenceNr(), sr.tagHash(), sr.payload()));
                    bytes += sr.payload().length;
                }
                long prev = rs.sent;
                rs.sent = out.get(out.size() - 1).sequenceNr();
                rs.shipped(rs.sent, bytes);
                ship(copy, prev, out);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading " + pid + " to ship it to replica " + copy + " failed", e);
        }
    }

    private Behavior<Command> onReplicaAck(ReplicaAck a) {
        if (fenced) return this;
        if (a.term() > term) return fence("replica " + a.copy() + " has seen term " + a.term());
        ReplicaState rs = replicas.get(a.copy());
        if (a.term() < term || rs == null) return this; // an answer to an older master
        long now = System.currentTimeMillis();
        rs.lastHeard = now;
        rs.unanswered = 0;
        // A gap answer states where the replica stands after comparing its log with ours (it may have cut a tail):
        // take it as is; so is an answer from another node than the last (the slot moved: position and node go
        // together, as the sync acknowledgement reads them). Ordinary acks of one replica arrive in order; max() only
        // guards against an older incarnation's on the same node.
        boolean otherNode = rs.node != null && !rs.node.equals(a.node());
        rs.node = a.node();
        rs.durable = a.gap() || otherNode ? a.durableSeq() : Math.max(rs.durable, a.durableSeq());
        if (a.gap()) {
            // The replica follows shipments again (after a comparison or a recovery) from its end; far behind, it
            // catches up by peer recovery instead, and asks for it on the next probe.
            rs.recovering = false;
            rs.needsRecovery = nextOffset - a.highestSeq() > settings.replication().recovery().minLagRecords();
        }
        if (a.gap() || rs.sent < 0) rs.sent = a.highestSeq();
        if (rs.durable >= nextOffset) {
            rs.caughtUpAt = now;
            if (desiredInSync.add(a.copy())) {
                getContext().getLog().info("queue {}/{}: replica {} caught up at seq {}, joins the in-sync set", topic, queueId, a.copy(), rs.durable);
                writeInSync();
            }
        }
        releaseWaiting(false);
        advanceCommitted();
        pump(a.copy());
        return stopIfDone();
    }

    // ---------------------------------------------------------------- peer recovery (serving side)

    private Behavior<Command> onReplicaStarted(ReplicaStarted r) {
        ReplicaState rs = replicas.get(r.copy());
        if (fenced || !ready || rs == null) return this; // a master that starts probes every replica anyway
        if (newIncarnation(r.copy(), rs, r.replica(), "restarted on " + r.node() + " at seq " + r.highestSeq())) probe(r.copy());
        rs.node = r.node();
        return this;
    }

    /**
     * Notes which Replica incarnation speaks for {@code copy}. A different one than this master heard from before (a
     * relocation, a restart) makes what it knew stale: forget the copy's position (it may have gone back, or hold a
     * divergent tail until it compared its log with ours), stop serving the old incarnation's recovery, and take the
     * copy out of the in-sync view until it acknowledges our end. Messages of the same incarnation arrive by different
     * paths (its hello through sharding, its comparison directly), so a late hello changes nothing.
     *
     * @return whether it was a new incarnation
     */
    private boolean newIncarnation(int copy, ReplicaState rs, ActorRef<Replica.Command> replica, String why) {
        if (replica.equals(rs.incarnation)) return false;
        boolean knewAnother = rs.incarnation != null;
        rs.incarnation = replica;
        if (!knewAnother) return true; // first contact: nothing stale to forget (positions start unknown)
        if (rs.recoveryKill != null) rs.recoveryKill.abort(new IllegalStateException("replica " + copy + " restarted"));
        rs.recoveryKill = null;
        rs.recovering = false;
        rs.needsRecovery = false;
        rs.sent = -1;
        rs.durable = -1;
        rs.lastHeard = System.currentTimeMillis();
        rs.unanswered = 0;
        if (desiredInSync.remove(copy)) {
            getContext().getLog().info("queue {}/{}: replica {} {} (master at {}); it leaves the in-sync set until it acknowledges our end",
                    topic, queueId, copy, why, nextOffset);
            writeInSync();
        }
        return true;
    }

    private Behavior<Command> onCompareLog(CompareLog c) {
        if (fenced || !ready) return this; // the replica asks again
        if (c.term() > term) return fence("replica " + c.copy() + " has seen term " + c.term());
        if (c.term() < term) return this; // it learns our term from our next shipment
        ReplicaState known = replicas.get(c.copy());
        if (known != null) newIncarnation(c.copy(), known, c.replyTo(), "restarted");
        String pid = topicState.persistenceId(queueId);
        var raw = store.raw();
        long lowest = raw.lowestSequence(pid);
        List<Boolean> matches = new ArrayList<>(c.seqs().size());
        try {
            for (int i = 0; i < c.seqs().size(); i++) {
                long seq = c.seqs().get(i);
                Long mine = null;
                if (seq <= nextOffset && seq >= 1) {
                    ReadResult r = raw.read(pid, seq, seq, 1, dev.ferry.store.TagFilter.ALL);
                    if (r instanceof ReadResult.Records recs && !recs.records().isEmpty() && recs.records().get(0).sequenceNr() == seq)
                        mine = dev.ferry.recovery.LogFingerprint.of(recs.records().get(0).payload());
                }
                matches.add(dev.ferry.recovery.DivergenceSearch.matches(seq, c.fingerprints().get(i), mine, lowest));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading " + pid + " to compare it with replica " + c.copy() + " failed", e);
        }
        c.replyTo().tell(new Replica.LogCompared(term, c.checkId(), matches, nextOffset));
        return this;
    }

    /**
     * Serves a peer recovery: the log from {@code fromSeq} to its end, read in chunks on the blocking dispatcher,
     * throttled by this node's recovery byte-rate cap, offered to the replica as a SourceRef; the node's outgoing
     * slot is held until the stream ends however it ends (completion, failure, the replica never subscribing).
     */
    private Behavior<Command> onStartRecovery(StartRecovery s) {
        if (fenced || !ready) {
            s.replyTo().tell(new Replica.RecoveryRefused(term, s.recoveryId(), "the master is not serving yet"));
            return this;
        }
        if (s.term() > term) return fence("replica " + s.copy() + " has seen term " + s.term());
        ReplicaState rs = replicas.get(s.copy());
        if (s.term() < term || rs == null) {
            s.replyTo().tell(new Replica.RecoveryRefused(term, s.recoveryId(), "stale term or unknown copy"));
            return this;
        }
        newIncarnation(s.copy(), rs, s.replyTo(), "restarted");
        if (rs.recoveryKill != null) {
            rs.recoveryKill.abort(new IllegalStateException("superseded by a new recovery request")); // its slot frees on termination
            rs.recoveryKill = null;
        }
        var offer = serveLog(s.copy(), s.fromSeq(), () -> new RecoveryEnded(s.copy(), s.recoveryId()), false,
                why -> s.replyTo().tell(new Replica.RecoveryRefused(term, s.recoveryId(), why)));
        if (offer == null) return this;
        rs.recovering = true;
        rs.needsRecovery = false;
        rs.sent = -1;
        rs.recoveryId = s.recoveryId();
        rs.recoveryKill = offer.first();
        getContext().getLog().info("queue {}/{}: peer recovery of replica {} from seq {} (master at {})", topic, queueId, s.copy(), s.fromSeq(), nextOffset);
        s.replyTo().tell(new Replica.RecoveryOffer(term, s.recoveryId(), offer.second(), s.fromSeq()));
        return this;
    }

    /**
     * Serves a relocation target's copy (see {@link StartRelocationCopy}) like a peer recovery — same stream, same
     * outgoing slot and throttle — without touching the slot's state: the replica that will move keeps its place.
     */
    private Behavior<Command> onStartRelocationCopy(StartRelocationCopy s) {
        if (fenced || !ready) {
            s.replyTo().tell(new RelocationCopyOffer(term, null, "the master of " + topic + "/" + queueId + " is not serving yet"));
            return this;
        }
        if (s.term() > term) return fence("a relocation target has seen term " + s.term());
        if (s.term() < term || !replicas.containsKey(s.copy())) {
            s.replyTo().tell(new RelocationCopyOffer(term, null, "stale term " + s.term() + " or unknown copy " + s.copy() + " (master at term " + term + ")"));
            return this;
        }
        var kill = new java.util.concurrent.atomic.AtomicReference<akka.stream.UniqueKillSwitch>();
        var offer = serveLog(s.copy(), s.fromSeq(), () -> new RelocationCopyEnded(kill.get()), true,
                why -> s.replyTo().tell(new RelocationCopyOffer(term, null, why)));
        if (offer == null) return this;
        kill.set(offer.first());
        relocationCopies.add(offer.first());
        getContext().getLog().info("queue {}/{}: copying the log from seq {} to {} ahead of replica {}'s relocation (master at {})",
                topic, queueId, s.fromSeq(), s.node(), s.copy(), nextOffset);
        s.replyTo().tell(new RelocationCopyOffer(term, offer.second(), null));
        return this;
    }

    /**
     * Streams this log from {@code fromSeq} to {@code copy} (peer recovery or a relocation target's copy) under one of
     * this node's outgoing recovery slots, held until the stream ends; {@code ended} is told to this master then.
     *
     * @return the stream's kill switch and the offer for the copy, or null after telling {@code refuse} why not (every
     *         outgoing slot is taken)
     */
    private akka.japi.Pair<akka.stream.UniqueKillSwitch, akka.stream.SourceRef<dev.ferry.replica.RecoveryChunk>> serveLog(
            int copy, long fromSeq, java.util.function.Supplier<Command> ended, boolean relocation,
            java.util.function.Consumer<String> refuse) {
        var node = dev.ferry.replica.NodeRecoveries.get(getContext().getSystem());
        if (!node.outgoing().tryAcquire()) {
            refuse.accept("this node serves ferry.allocation.node-concurrent-outgoing-recoveries = " + node.outgoing().limit()
                    + " recoveries already");
            return null;
        }
        return dev.ferry.replica.RecoveryServer.serve(getContext().getSystem(), node, store.raw(), topicState.persistenceId(queueId),
                copy, fromSeq, settings.replication().maxShipmentRecords(), blocking, getContext().getSelf(), ended, relocation);
    }

    /** Answers the producers of stored batches that every in-sync replica (or, {@code all}, nobody) has confirmed. */
    private void releaseWaiting(boolean all) {
        while (!waiting.isEmpty()) {
            Waiting w = waiting.peek();
            if (!all && !confirmedByInSync(w.lastSeq())) return;
            waiting.poll();
            int i = 0;
            for (Append a : w.appends()) {
                a.replyTo().tell(new Appended(queueId, w.firstOffset() + i));
                i += a.messages().size();
            }
        }
    }

    private boolean confirmedByInSync(long seq) {
        Set<Integer> waitFor = new TreeSet<>(desiredInSync);
        waitFor.addAll(confirmedInSync);
        for (int c : waitFor) {
            ReplicaState rs = replicas.get(c);
            if (rs == null || rs.durable < seq) return false;
            // The Broker promotes a copy by the node it records for it: a copy that holds the message but lives on
            // another node than the recorded one (it moved) does not make the message safe until the record follows.
            if (confirmedInSync.contains(c) && !java.util.Objects.equals(rs.node, confirmedNodes.get(c))) return false;
        }
        return true;
    }

    private Behavior<Command> onTick() {
        if (fenced || !ready) return this;
        long now = System.currentTimeMillis();
        var rep = settings.replication();
        int count = topicState.settings().replicas();
        for (int c = 1; c <= count; c++) replicas.computeIfAbsent(c, k -> new ReplicaState(now));
        replicas.keySet().removeIf(c -> c > count);
        desiredInSync.removeIf(c -> c > count);
        advanceCommitted();
        for (var e : replicas.entrySet()) {
            int c = e.getKey();
            ReplicaState rs = e.getValue();
            boolean behind = rs.durable < nextOffset;
            if ((rs.sent < 0 || behind) && now - Math.max(rs.lastHeard, rs.lastProbe) >= rep.probeDelayMillis(rs.unanswered)) {
                probe(c);
                rs.lastProbe = now;
                rs.unanswered++;
            }
            else if (!behind && rs.committedSent < committed && !rs.recovering) probe(c); // replicas serve reads up to it
            if (behind && desiredInSync.contains(c) && now - rs.caughtUpAt > rep.inSyncTimeout().toMillis()) {
                getContext().getLog().warn("queue {}/{}: replica {} has not caught up for {} ms (at seq {}, master at {}); it leaves the in-sync set",
                        topic, queueId, c, now - rs.caughtUpAt, rs.durable, nextOffset);
                desiredInSync.remove(c);
            }
        }
        writeInSync();
        return stopIfDone();
    }

    /** Brings the Broker's in-sync set to this master's view, one write at a time. */
    private void writeInSync() {
        if (inSyncWriteInFlight || (!inSyncUnknown && desiredInSync.equals(confirmedInSync) && inSyncNodesConfirmed())) return;
        inSyncWriteInFlight = true;
        List<Integer> copies = new ArrayList<>(desiredInSync);
        Map<Integer, String> where = new java.util.TreeMap<>();
        for (int c : copies) {
            ReplicaState rs = replicas.get(c);
            if (rs != null && rs.node != null) where.put(c, rs.node);
        }
        long t = term;
        var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        getContext().ask(Broker.Reply.class, broker, settings.askTimeout(), r -> new Broker.SetInSync(queueId, t, copies, where, r), InSyncReply::new);
    }

    /** Whether the Broker records every in-sync copy on the node this master hears it from. */
    private boolean inSyncNodesConfirmed() {
        for (int c : desiredInSync) {
            ReplicaState rs = replicas.get(c);
            if (rs != null && rs.node != null && !rs.node.equals(confirmedNodes.get(c))) return false;
        }
        return true;
    }

    private Behavior<Command> onInSyncReply(InSyncReply r) {
        inSyncWriteInFlight = false;
        if (r.reply() instanceof Broker.RouteReply rr && rr.route().term() == term) {
            inSyncUnknown = false;
            confirmedNodes = rr.route().nodes();
            confirmedInSync.clear();
            rr.route().inSync().forEach(c -> { if (c != 0) confirmedInSync.add(c); });
            releaseWaiting(false);
            advanceCommitted();
            writeInSync();
            return stopIfDone();
        }
        if (r.reply() instanceof Broker.Rejected rej && rej.status() == 409) return fence(rej.detail());
        inSyncUnknown = true;
        getContext().getLog().warn("queue {}/{}: in-sync set {} not confirmed by the Broker ({}); writing it again",
                topic, queueId, desiredInSync, r.failure() != null ? r.failure().toString() : r.reply());
        return this; // not confirmed (it may still have applied): the next tick writes again
    }

    /** A newer master exists: stop serving (nothing more is acknowledged here) and let sharding stop the entity. */
    private Behavior<Command> fence(String why) {
        if (fenced) return this;
        fenced = true;
        leaveLocalMasters();
        getContext().getLog().warn("queue {}/{}: term {} is stale ({}); this master stops", topic, queueId, term, why);
        String detail = "queue " + topic + "/" + queueId + " has a newer master; retry";
        pending.forEach(a -> a.replyTo().tell(new AppendRejected(503, "not_master", detail)));
        pending.clear();
        waiting.forEach(w -> w.appends().forEach(a -> a.replyTo().tell(new AppendRejected(503, "not_master",
                detail + " (stored on the stale master only: it may be lost)"))));
        waiting.clear();
        timers.cancel("tick");
        entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        return this;
    }


    // ---------------------------------------------------------------- reads

    /** The committed end a sync topic's consumers may read to; async topics expose what the master has. */
    private long computeCommitted() {
        if (topicState.settings().replication() != dev.ferry.broker.TopicSettings.Replication.SYNC) return nextOffset;
        long c = nextOffset;
        Set<Integer> waitFor = new TreeSet<>(desiredInSync);
        waitFor.addAll(confirmedInSync);
        for (int copy : waitFor) {
            ReplicaState rs = replicas.get(copy);
            c = Math.min(c, rs == null ? -1 : rs.durable);
        }
        return c;
    }

    /** Moves the high-water mark up to what every in-sync copy holds durably, and serves the reads waiting for it. */
    private void advanceCommitted() {
        if (!ready) return;
        long c = computeCommitted();
        if (c > committed) {
            committed = c;
            wakeParked();
        }
    }

    private Behavior<Command> onGetStats(GetStats g) {
        if (!ready && !deleted && !stopping) {
            // Views polled against a queue whose recovery is stuck must not pile up: the oldest asker has given up.
            if (statsWaitingForLog.size() >= MAX_STATS_WAITING) statsWaitingForLog.remove(0);
            statsWaitingForLog.add(g);
            return this;
        }
        g.replyTo().tell(stats());
        return this;
    }

    /** Answers the stats asked for while the log recovered ({@code ready} says whether they are the queue's real state). */
    private void answerStatsWaiting() {
        if (statsWaitingForLog.isEmpty()) return;
        Stats s = stats();
        statsWaitingForLog.forEach(g -> g.replyTo().tell(s));
        statsWaitingForLog.clear();
    }

    private Stats stats() {
        if (ready) minOffset = store.minOffset(topicState.persistenceId(queueId), nextOffset);
        return new Stats(queueId, minOffset, nextOffset, settings.nodeName(), ready, writes, committed);
    }

    private Behavior<Command> onRead(Read r) {
        if (!ready) {
            if (deleted) r.replyTo().tell(new ReadRejected(404, "topic_not_found", "topic " + topic + " was deleted"));
            else waitingForLog.add(r);
            return this;
        }
        long end = committed;
        ReadPosition at = ReadPosition.of(r.offset(), minOffset, end, nextOffset);
        if (at.status() == ReadPosition.Status.OFFSET_OVERFLOW_BADLY) {
            // Not a place to wait at: answer at once, so the reader goes back to maxOffset.
            r.replyTo().tell(messages(List.of(), at.start(), at.status()));
            return this;
        }
        long offset = at.start();
        ReadBudget budget = r.budget();
        if (offset >= end || cache.covers(offset) || cache.firstOffset() < 0) {
            List<QueueMessage> found = offset >= end ? List.of() : cache.read(offset, budget, r.filter(), end);
            if (found.isEmpty() && r.waitMs() > 0) {
                park(new Read(Math.max(offset, end), r.max(), r.maxBytes(), r.filter(), r.waitMs(), r.replyTo()), at.status());
                return this;
            }
            r.replyTo().tell(messages(found, budget.full() ? found.get(found.size() - 1).offset() + 1 : Math.max(offset, end), at.status()));
            return this;
        }
        // Older than the cache (not in memory). With slave reads on, an in-sync replica serves it (RocketMQ
        // slaveReadEnable: a consumer that far behind would otherwise page cold data into the master's memory).
        int replica = settings.replication().slaveReadEnable() ? readReplica() : 0;
        if (replica > 0) {
            ClusterSharding.get(getContext().getSystem()).entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, queueId, replica))
                    .tell(new Replica.Read(offset, r.max(), r.maxBytes(), r.filter(), end, 0, r.replyTo()));
            return this;
        }
        // Read that range from the store, off the entity's thread.
        long to = Math.min(cache.firstOffset(), end);
        Read adjusted = new Read(offset, r.max(), r.maxBytes(), r.filter(), r.waitMs(), r.replyTo());
        QueueStore reader = store;
        String pid = topicState.persistenceId(queueId);
        getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(() -> reader.read(pid, offset, to, budget,
                        r.filter().matchesAll() ? r.max() : STORE_SCAN_LIMIT, r.filter()), blocking),
                (res, failure) -> new StoreReadDone(adjusted, budget, at.status(), res, failure));
        return this;
    }

    /** The in-sync replica (Broker-confirmed and still caught up in this master's view) with the most data, or 0. */
    private int readReplica() {
        int best = 0;
        long bestDurable = -1;
        for (int c : confirmedInSync) {
            ReplicaState rs = replicas.get(c);
            if (!desiredInSync.contains(c) || rs == null || rs.recovering) continue;
            if (rs.durable > bestDurable) {
                best = c;
                bestDurable = rs.durable;
            }
        }
        return best;
    }

    private Behavior<Command> onStoreRead(StoreReadDone d) {
        Read r = d.read();
        if (d.failure() != null) {
            getContext().getLog().error("queue {}/{}: store read failed", topic, queueId, d.failure());
            r.replyTo().tell(new ReadRejected(503, "read_failed", "reading queue " + topic + "/" + queueId + " from the store failed: " + d.failure().getMessage()));
            return this;
        }
        QueueStore.Result res = d.result();
        ReadBudget budget = d.budget();
        List<QueueMessage> found = new ArrayList<>(res.messages());
        long next = res.scannedTo();
        long end = committed;
        if (!budget.full() && cache.covers(next) && next < end) {
            found.addAll(cache.read(next, budget, r.filter(), end));
            next = end;
        }
        if (budget.full()) next = found.get(found.size() - 1).offset() + 1;
        r.replyTo().tell(messages(found, next, d.status()));
        return this;
    }

    private Messages messages(List<QueueMessage> found, long next, ReadPosition.Status status) {
        return new Messages(queueId, minOffset, committed, next, found, 0, status);
    }

    /** A read waiting at the end of the queue, and what its requested offset was. */
    private record Parked(Read read, ReadPosition.Status status) {}

    private void park(Read r, ReadPosition.Status status) {
        long id = ++readIds;
        parked.put(id, new Parked(r, status));
        timers.startSingleTimer(id, new ReadExpired(id), Duration.ofMillis(r.waitMs()));
    }

    private Behavior<Command> onReadExpired(ReadExpired e) {
        Parked p = parked.remove(e.id());
        if (p != null) p.read().replyTo().tell(messages(List.of(), Math.max(p.read().offset(), committed), p.status()));
        return this;
    }

    private void wakeParked() {
        if (parked.isEmpty()) return;
        long end = committed;
        var it = parked.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            Read r = entry.getValue().read();
            ReadBudget budget = r.budget();
            List<QueueMessage> found = cache.covers(r.offset()) && r.offset() < end ? cache.read(r.offset(), budget, r.filter(), end) : List.of();
            if (!found.isEmpty()) {
                it.remove();
                timers.cancel(entry.getKey());
                r.replyTo().tell(messages(found, budget.full() ? found.get(found.size() - 1).offset() + 1 : end, entry.getValue().status()));
            }
        }
    }

    // ---------------------------------------------------------------- deletion

    private Behavior<Command> onDeleted() {
        deleted = true;
        String detail = "topic " + topic + " does not exist (deleted)";
        pending.forEach(a -> a.replyTo().tell(new AppendRejected(404, "topic_not_found", detail)));
        pending.clear();
        waitingForLog.forEach(r -> r.replyTo().tell(new ReadRejected(404, "topic_not_found", detail)));
        waitingForLog.clear();
        parked.values().forEach(p -> p.read().replyTo().tell(new ReadRejected(404, "topic_not_found", detail)));
        answerStatsWaiting();
        parked.clear();
        entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        return this;
    }
}
