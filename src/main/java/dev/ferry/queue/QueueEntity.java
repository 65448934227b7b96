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

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
     * Up to {@code max} messages at or after {@code offset} matching {@code filter}; if there are none yet, wait up to
     * {@code waitMs} for them.
     */
    public record Read(long offset, int max, TagFilter filter, long waitMs, ActorRef<ReadReply> replyTo) implements Command {}

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

    private record StoreReadDone(Read read, QueueStore.Result result, Throwable failure) implements Command {}

    private record Retry() implements Command {}

    public sealed interface AppendReply extends CborSerializable {}

    /** The batch is stored; its messages have offsets firstOffset, firstOffset+1, ... in the order sent. */
    public record Appended(int queueId, long firstOffset) implements AppendReply {}

    /** Not stored; {@code status} is the HTTP status to answer with. */
    public record AppendRejected(int status, String error, String detail) implements AppendReply {}

    public sealed interface ReadReply extends CborSerializable {}

    /**
     * @param nextOffset where the next read should start (past everything scanned, matching or not)
     * @param maxOffset  the offset the next message will get (RocketMQ maxOffset)
     */
    public record Messages(int queueId, long minOffset, long maxOffset, long nextOffset, List<QueueMessage> messages) implements ReadReply {}

    public record ReadRejected(int status, String error, String detail) implements ReadReply {}

    /** @param writes journal writes (batches) this incarnation made: messages per write = how well appends batch */
    public record Stats(int queueId, long minOffset, long maxOffset, String node, boolean ready, long writes) implements CborSerializable {}

    /** Settings a queue needs from the node. */
    public record Settings(String nodeName, int maxBatchMessages, long readCacheBytes, Duration askTimeout) {}

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
    private final Map<Long, Read> parked = new HashMap<>();
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
                .onMessage(GetStats.class, g -> {
                    if (ready) minOffset = store.minOffset(topicState.persistenceId(queueId), nextOffset);
                    g.replyTo().tell(new Stats(queueId, minOffset, nextOffset, settings.nodeName(), ready, writes));
                    return this;
                })
                .onMessage(TopicLoaded.class, this::onTopicLoaded)
                .onMessage(TopicChanged.class, this::onTopicChanged)
                .onMessage(TopicDeleted.class, d -> onDeleted())
                .onMessage(Stop.class, st -> {
                    stopping = true;
                    return stopIfDone();
                })
                .onMessage(LogEvent.class, this::onLogEvent)
                .onMessage(ReadExpired.class, this::onReadExpired)
                .onMessage(StoreReadDone.class, this::onStoreRead)
                .onMessage(Retry.class, r -> this)
                .onMessage(RetryLoad.class, r -> {
                    if (log == null && !deleted) loadTopic();
                    return this;
                })
                .onSignal(Terminated.class, this::onLogTerminated)
                .onSignal(akka.actor.typed.PostStop.class, s -> {
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
            if (log == null) startLog();
            return this;
        }
        return onDeleted();
    }

    private record RetryLoad() implements Command {}

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
            // A new flush mode means a new journal plugin: restart the log on it once no write is in flight.
            if (log != null && ready && !s.settings().flush().journalPluginId().equals(logPluginId) && inFlight.isEmpty()) restartLog();
        }
        return this;
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
            // Warm the read cache with the newest messages, so consumers that were keeping up stay off the store.
            long from = Math.max(minOffset, nextOffset - WARM_MESSAGES);
            if (from < nextOffset) store.read(pid, from, nextOffset, WARM_MESSAGES, WARM_MESSAGES, TagFilter.ALL).messages().forEach(cache::add);
            ready = true;
            FerryMetrics.RECOVERIES.inc();
            var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
            broker.tell(new Broker.CopyStarted(queueId, topicState.queues().size() > queueId ? topicState.queues().get(queueId).master() : 0,
                    settings.nodeName()));
            getContext().getLog().debug("queue {}/{} ready at offset {}", topic, queueId, nextOffset);
            List<Read> waiting = new ArrayList<>(waitingForLog);
            waitingForLog.clear();
            waiting.forEach(this::onRead);
            writeNext();
        } else if (e.event() instanceof QueueLog.Stored s) {
            long offset = s.firstOffset();
            int i = 0;
            for (Append a : inFlight) {
                a.replyTo().tell(new Appended(queueId, offset + i));
                i += a.messages().size();
            }
            for (StoredMessage m : s.messages()) cache.add(new QueueMessage(offset++, m));
            nextOffset = offset;
            inFlight = List.of();
            wakeParked();
            if (topicState != null && !topicState.settings().flush().journalPluginId().equals(logPluginId)) restartLog();
            else writeNext();
            return stopIfDone();
        }
        return this;
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
        if (ready && (!inFlight.isEmpty() || !pending.isEmpty())) return this; // still storing what was accepted
        String detail = "queue " + topic + "/" + queueId + " is moving to another node; retry";
        pending.forEach(a -> a.replyTo().tell(new AppendRejected(503, "unavailable", detail)));
        inFlight.forEach(a -> a.replyTo().tell(new AppendRejected(503, "unavailable", detail + " (the write may have been stored)")));
        parked.values().forEach(r -> r.replyTo().tell(messages(List.of(), Math.max(r.offset(), nextOffset))));
        waitingForLog.forEach(r -> r.replyTo().tell(new ReadRejected(503, "unavailable", detail)));
        return Behaviors.stopped();
    }

    // ---------------------------------------------------------------- writes

    private Behavior<Command> onAppend(Append a) {
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

    // ---------------------------------------------------------------- reads

    private Behavior<Command> onRead(Read r) {
        if (!ready) {
            if (deleted) r.replyTo().tell(new ReadRejected(404, "topic_not_found", "topic " + topic + " was deleted"));
            else waitingForLog.add(r);
            return this;
        }
        long offset = Math.max(r.offset(), minOffset);
        if (offset >= nextOffset || cache.covers(offset) || cache.firstOffset() < 0) {
            List<QueueMessage> found = offset >= nextOffset ? List.of() : cache.read(offset, r.max(), r.filter());
            if (found.isEmpty() && r.waitMs() > 0) {
                park(new Read(Math.max(offset, nextOffset), r.max(), r.filter(), r.waitMs(), r.replyTo()));
                return this;
            }
            r.replyTo().tell(messages(found, found.size() < r.max() ? Math.max(offset, nextOffset) : found.get(found.size() - 1).offset() + 1));
            return this;
        }
        // Older than the cache: read that range from the store, off the entity's thread.
        long to = cache.firstOffset();
        Read adjusted = new Read(offset, r.max(), r.filter(), r.waitMs(), r.replyTo());
        QueueStore reader = store;
        String pid = topicState.persistenceId(queueId);
        getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(() -> reader.read(pid, offset, to, r.max(),
                        r.filter().matchesAll() ? r.max() : STORE_SCAN_LIMIT, r.filter()), blocking),
                (res, failure) -> new StoreReadDone(adjusted, res, failure));
        return this;
    }

    private Behavior<Command> onStoreRead(StoreReadDone d) {
        Read r = d.read();
        if (d.failure() != null) {
            getContext().getLog().error("queue {}/{}: store read failed", topic, queueId, d.failure());
            r.replyTo().tell(new ReadRejected(503, "read_failed", "reading queue " + topic + "/" + queueId + " from the store failed: " + d.failure().getMessage()));
            return this;
        }
        QueueStore.Result res = d.result();
        List<QueueMessage> found = new ArrayList<>(res.messages());
        long next = res.scannedTo();
        if (found.size() < r.max() && cache.covers(next)) {
            int room = r.max() - found.size();
            List<QueueMessage> more = cache.read(next, room, r.filter());
            found.addAll(more);
            next = more.size() < room ? nextOffset : more.get(more.size() - 1).offset() + 1;
        }
        if (found.size() >= r.max()) next = found.get(found.size() - 1).offset() + 1;
        r.replyTo().tell(messages(found, next));
        return this;
    }

    private Messages messages(List<QueueMessage> found, long next) {
        return new Messages(queueId, minOffset, nextOffset, next, found);
    }

    private void park(Read r) {
        long id = ++readIds;
        parked.put(id, r);
        timers.startSingleTimer(id, new ReadExpired(id), Duration.ofMillis(r.waitMs()));
    }

    private Behavior<Command> onReadExpired(ReadExpired e) {
        Read r = parked.remove(e.id());
        if (r != null) r.replyTo().tell(messages(List.of(), Math.max(r.offset(), nextOffset)));
        return this;
    }

    private void wakeParked() {
        if (parked.isEmpty()) return;
        var it = parked.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            Read r = entry.getValue();
            List<QueueMessage> found = cache.covers(r.offset()) ? cache.read(r.offset(), r.max(), r.filter()) : List.of();
            if (!found.isEmpty()) {
                it.remove();
                timers.cancel(entry.getKey());
                r.replyTo().tell(messages(found, found.size() < r.max() ? nextOffset : found.get(found.size() - 1).offset() + 1));
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
        parked.values().forEach(r -> r.replyTo().tell(new ReadRejected(404, "topic_not_found", detail)));
        parked.clear();
        entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        return this;
    }
}
