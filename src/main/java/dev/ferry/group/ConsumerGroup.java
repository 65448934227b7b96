package dev.ferry.group;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.ferry.cluster.CborSerializable;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A consumer group (entity id = group name; RocketMQ CLUSTERING mode). It shares each topic's queues among the
 * group's live consumers (a consumer is live while it pulls at least once per session timeout; joining, leaving or
 * going silent re-assigns queues on the next pull), remembers how far each owner has fetched, and keeps the committed
 * offsets. Fetch positions are trusted within one session of a consumer only (Kafka's member id): a consumer that
 * joins, comes back after its session timed out, or pulls with a session other than its previous one (a restarted
 * client, a new stream) restarts its queues at the committed offsets, so what an earlier session got but did not
 * commit is delivered again (at-least-once). Committed offsets live in durable Distributed Data (key {@code group-<name>}, entries
 * {@code queue persistence id -> next offset to consume}, see {@link OffsetKey}), so they survive restarts and a move
 * of this entity to another node; fetch positions are memory only and fall back to the committed offset when a queue
 * changes hands. Everything is per incarnation of a topic: once a re-created topic is pulled or committed on, the old
 * incarnation's offsets are dropped and its members forgotten, so the group starts the new topic as a new group would
 * (Kafka deletes a deleted topic's committed offsets).
 */
public final class ConsumerGroup {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "group");

    /** What every group's Distributed Data key starts with (the rest is the group's name). */
    public static final String GROUP_KEY_PREFIX = "group-";

    public static akka.cluster.ddata.Key<LWWMap<String, Long>> key(String group) {
        return LWWMapKey.create(GROUP_KEY_PREFIX + group);
    }

    /** A topic incarnation a group's stored offsets belong to. */
    public record TopicIncarnation(String topic, long incarnation) {}

    /** The topic incarnations named by a group's offsets as Distributed Data stores them (key {@link #key}). */
    public static java.util.Set<TopicIncarnation> topicsOf(Map<String, Long> stored) {
        java.util.Set<TopicIncarnation> out = new java.util.TreeSet<>(java.util.Comparator.comparing(TopicIncarnation::topic)
                .thenComparingLong(TopicIncarnation::incarnation));
        for (String k : stored.keySet()) {
            OffsetKey key = OffsetKey.parse(k);
            if (key != null) out.add(new TopicIncarnation(key.topic(), key.incarnation()));
        }
        return out;
    }

    // ---------------------------------------------------------------- protocol

    public sealed interface Command extends CborSerializable {}

    /**
     * A pull by {@code consumer}: marks it live and answers with the queues it owns and where to read each.
     * @param session the consumer's session (null: none, the positions of its previous pulls are kept); another session
     *                than its previous pull's restarts its queues at the committed offsets
     */
    public record Pull(String topic, long incarnation, int queues, String consumer, String session, ActorRef<Assignment> replyTo) implements Command {}

    /** Session {@code session} of the consumer received messages of {@code queueId} up to (excluding) {@code nextOffset}. */
    public record Fetched(String topic, long incarnation, String consumer, String session, int queueId, long nextOffset) implements Command {}

    public record Commit(String topic, long incarnation, int queueId, long offset, ActorRef<Committed> replyTo) implements Command {}

    /**
     * The consumer is gone (its client said so, or its stream was closed): its queues go to the others on their next
     * pull, from the committed offsets (Kafka LeaveGroup). With a {@code session}, only if that is still the consumer's
     * session (a late leave of an ended session does not remove the consumer's new one); null: whatever its session.
     */
    public record Leave(String topic, long incarnation, String consumer, String session, ActorRef<Left> replyTo) implements Command {}

    /** @param left whether the consumer was a member (false: it was not, or the leave named an ended session) */
    public record Left(boolean left) implements CborSerializable {}

    public record Describe(ActorRef<GroupView> replyTo) implements Command {}

    /**
     * Sets the committed offsets of {@code topic}'s queues at once (Kafka {@code --reset-offsets --execute}, RocketMQ
     * {@code resetOffsetByTime}); refused while the topic has live consumers in the group, whose positions would not
     * follow (Kafka: "the group must be inactive").
     */
    public record Reset(String topic, long incarnation, Map<Integer, Long> offsets, ActorRef<ResetReply> replyTo) implements Command {}

    public sealed interface ResetReply extends CborSerializable {}

    public record ResetDone(Map<Integer, Long> offsets) implements ResetReply {}

    /** {@code consumers}: the live ones, each seen within the session timeout. */
    public record ResetRefused(List<String> consumers) implements ResetReply {}

    private record ResetWritten(Reset reset, boolean confirmed) implements Command {}

    /**
     * Forgets the group: every committed offset (Kafka {@code kafka-consumer-groups --delete}, RocketMQ
     * {@code deleteSubGroup}); refused while any topic has live consumers in it (Kafka: the group must be empty).
     */
    public record Delete(ActorRef<DeleteReply> replyTo) implements Command {}

    public sealed interface DeleteReply extends CborSerializable {}

    /** {@code existed}: the group had committed offsets or (silent) consumers to forget. */
    public record Deleted(boolean existed) implements DeleteReply {}

    /** {@code consumers}: "topic: consumer" for each live consumer. */
    public record DeleteRefused(List<String> consumers) implements DeleteReply {}

    private record DeleteWritten(Delete delete, boolean existed, boolean confirmed) implements Command {}

    private record Loaded(Map<String, Long> committed) implements Command {}

    private record Written() implements Command {}

    private record CommitWritten(Commit commit, boolean confirmed) implements Command {}

    /** @param offset where to read; -1 = from the end of the queue (consume-from-where = last-offset, nothing committed) */
    public record QueueFetch(int queueId, long offset) implements CborSerializable {}

    /**
     * @param queues         the queues the consumer owns now, and where to read each
     * @param topicReplaced  the pull named an incarnation of the topic that was deleted and created again: nothing of
     *                       it is left to own (a stream opened on it should end)
     */
    public record Assignment(List<QueueFetch> queues, boolean topicReplaced) implements CborSerializable {}

    public record Committed(String topic, int queueId, long offset) implements CborSerializable {}

    public record ConsumerView(String consumer, long lastSeenMillisAgo, List<Integer> queues) implements CborSerializable {}

    /** One incarnation of a topic the group has live consumers or committed offsets on. */
    public record TopicView(String topic, long incarnation, List<ConsumerView> consumers, Map<Integer, Long> committed) implements CborSerializable {}

    public record GroupView(String group, List<TopicView> topics) implements CborSerializable {}

    // ---------------------------------------------------------------- behaviour

    public static Behavior<Command> create(String group, Duration sessionTimeout, boolean fromLastOffset, Clock clock) {
        return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> {
            var replicator = new ReplicatorMessageAdapter<Command, LWWMap<String, Long>>(
                    ctx, DistributedData.get(ctx.getSystem()).replicator(), Duration.ofSeconds(5));
            return new ConsumerGroup(group, sessionTimeout, fromLastOffset, clock, ctx, replicator).loading(stash);
        }));
    }

    private final String group;
    private final Duration sessionTimeout;
    private final boolean fromLastOffset;
    private final Clock clock;
    private final ActorContext<Command> ctx;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, Long>> replicator;
    private final SelfUniqueAddress self;
    private final Map<String, TopicMembers> topics = new TreeMap<>();
    private final Map<OffsetKey, Long> committed = new HashMap<>();
    /** The incarnations each topic has committed offsets of: every pull and commit checks them, without a scan of every offset. */
    private final Map<String, java.util.TreeSet<Long>> committedIncarnations = new HashMap<>();

    /** One topic incarnation's consumers, queue owners and fetch positions. */
    private static final class TopicMembers {
        final long incarnation;
        final Map<String, Long> lastSeen = new TreeMap<>();
        /** Each live consumer's session, as its latest pull named it (null: none). */
        final Map<String, String> session = new HashMap<>();
        final Map<Integer, String> owner = new HashMap<>();
        final Map<Integer, Long> fetched = new HashMap<>();
        int queues;

        TopicMembers(long incarnation) {
            this.incarnation = incarnation;
        }
    }

    private ConsumerGroup(String group, Duration sessionTimeout, boolean fromLastOffset, Clock clock, ActorContext<Command> ctx,
                          ReplicatorMessageAdapter<Command, LWWMap<String, Long>> replicator) {
        this.group = group;
        this.sessionTimeout = sessionTimeout;
        this.fromLastOffset = fromLastOffset;
        this.clock = clock;
        this.ctx = ctx;
        this.replicator = replicator;
        this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    }

    private Behavior<Command> loading(StashBuffer<Command> stash) {
        replicator.askGet(r -> new Replicator.Get<>(key(group), new Replicator.ReadMajority(Duration.ofSeconds(3)), r), rsp -> {
            if (rsp instanceof Replicator.GetSuccess<LWWMap<String, Long>> ok) return new Loaded(ok.get(key(group)).getEntries());
            return new Loaded(null);
        });
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, l -> {
                    if (l.committed() == null) {
                        // No majority (or nothing stored yet): this node's durable copy is the best we have.
                        replicator.askGet(r -> new Replicator.Get<>(key(group), Replicator.readLocal(), r), rsp ->
                                rsp instanceof Replicator.GetSuccess<LWWMap<String, Long>> ok ? new Loaded(ok.get(key(group)).getEntries()) : new Loaded(Map.of()));
                        return Behaviors.same();
                    }
                    l.committed().forEach((key, offset) -> {
                        OffsetKey k = OffsetKey.parse(key);
                        if (k != null) commit(k, offset);
                    });
                    return stash.unstashAll(active());
                })
                .onAnyMessage(m -> { stash.stash(m); return Behaviors.same(); })
                .build();
    }

    private Behavior<Command> active() {
        return Behaviors.receive(Command.class)
                .onMessage(Pull.class, this::onPull)
                .onMessage(Fetched.class, this::onFetched)
                .onMessage(Commit.class, this::onCommit)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Reset.class, this::onReset)
                .onMessage(Delete.class, this::onDelete)
                .onMessage(DeleteWritten.class, w -> {
                    if (!w.confirmed()) ctx.getLog().warn("group {}: deletion not confirmed by a majority in time", group);
                    w.delete().replyTo().tell(new Deleted(w.existed()));
                    return Behaviors.same();
                })
                .onMessage(ResetWritten.class, w -> {
                    if (!w.confirmed()) ctx.getLog().warn("group {}: reset of {} to {} not confirmed by a majority in time",
                            group, w.reset().topic(), w.reset().offsets());
                    w.reset().replyTo().tell(new ResetDone(w.reset().offsets()));
                    return Behaviors.same();
                })
                .onMessage(Describe.class, d -> {
                    d.replyTo().tell(view());
                    return Behaviors.same();
                })
                .onMessage(Written.class, w -> Behaviors.same())
                .onMessage(CommitWritten.class, w -> {
                    if (!w.confirmed()) ctx.getLog().warn("group {}: commit {}/{}={} not confirmed by a majority in time",
                            group, w.commit().topic(), w.commit().queueId(), w.commit().offset());
                    w.commit().replyTo().tell(new Committed(w.commit().topic(), w.commit().queueId(), w.commit().offset()));
                    return Behaviors.same();
                })
                .onMessage(Loaded.class, l -> Behaviors.same())
                .build();
    }

    private Behavior<Command> onPull(Pull p) {
        if (newerIncarnationKnown(p.topic(), p.incarnation())) {
            // A node whose route table still had the old topic: there is nothing of it left to own.
            p.replyTo().tell(new Assignment(List.of(), true));
            return Behaviors.same();
        }
        forgetOlderIncarnations(p.topic(), p.incarnation());
        TopicMembers t = topics.computeIfAbsent(p.topic(), k -> new TopicMembers(p.incarnation()));
        long now = clock.millis();
        t.queues = p.queues();
        expire(t, now);
        // A new session of the consumer (it joined, came back after timing out, or its client restarted): what the
        // previous one fetched was maybe never processed, so its queues restart where the group committed.
        boolean newSession = !t.lastSeen.containsKey(p.consumer())
                || (p.session() != null && !p.session().equals(t.session.get(p.consumer())));
        t.lastSeen.put(p.consumer(), now);
        t.session.put(p.consumer(), p.session());
        List<String> live = new ArrayList<>(t.lastSeen.keySet());
        List<QueueFetch> fetches = new ArrayList<>();
        for (int q : QueueAssignment.averagely(p.queues(), live, p.consumer())) {
            if (!p.consumer().equals(t.owner.get(q)) || newSession) {
                // The queue changed hands (or sessions): the new owner starts where the group committed, not where the
                // old one fetched.
                t.owner.put(q, p.consumer());
                t.fetched.remove(q);
            }
            Long pos = t.fetched.get(q);
            if (pos == null) pos = committed.get(new OffsetKey(p.topic(), p.incarnation(), q));
            fetches.add(new QueueFetch(q, pos != null ? pos : (fromLastOffset ? -1 : 0)));
        }
        p.replyTo().tell(new Assignment(fetches, false));
        return Behaviors.same();
    }

    private Behavior<Command> onFetched(Fetched f) {
        TopicMembers t = topics.get(f.topic());
        // A fetch of an ended session (a pull in flight when its client restarted or left) moves nothing.
        if (t != null && t.incarnation == f.incarnation() && f.consumer().equals(t.owner.get(f.queueId()))
                && t.lastSeen.containsKey(f.consumer()) && Objects.equals(f.session(), t.session.get(f.consumer())))
            t.fetched.merge(f.queueId(), f.nextOffset(), Math::max);
        return Behaviors.same();
    }

    private Behavior<Command> onLeave(Leave l) {
        TopicMembers t = topics.get(l.topic());
        boolean member = t != null && t.incarnation == l.incarnation() && t.lastSeen.containsKey(l.consumer())
                && clock.millis() - t.lastSeen.get(l.consumer()) <= sessionTimeout.toMillis()
                && (l.session() == null || l.session().equals(t.session.get(l.consumer())));
        if (member) forget(t, l.consumer());
        l.replyTo().tell(new Left(member));
        return Behaviors.same();
    }

    /** Drops the consumers silent for longer than the session timeout. */
    private void expire(TopicMembers t, long now) {
        for (String c : new ArrayList<>(t.lastSeen.keySet()))
            if (now - t.lastSeen.get(c) > sessionTimeout.toMillis()) forget(t, c);
    }

    /** {@code consumer} is no member any more: its queues are nobody's until the next pull, their positions gone. */
    private static void forget(TopicMembers t, String consumer) {
        t.lastSeen.remove(consumer);
        t.session.remove(consumer);
        t.owner.entrySet().removeIf(e -> {
            boolean mine = e.getValue().equals(consumer);
            if (mine) t.fetched.remove(e.getKey());
            return mine;
        });
    }

    private Behavior<Command> onCommit(Commit c) {
        if (newerIncarnationKnown(c.topic(), c.incarnation())) {
            // The queue it names was deleted with its topic: nothing will ever read the offset, so it is not kept.
            c.replyTo().tell(new Committed(c.topic(), c.queueId(), c.offset()));
            return Behaviors.same();
        }
        forgetOlderIncarnations(c.topic(), c.incarnation());
        OffsetKey queue = new OffsetKey(c.topic(), c.incarnation(), c.queueId());
        String entry = queue.key();
        commit(queue, c.offset());
        TopicMembers t = topics.get(c.topic());
        if (t != null && t.incarnation == c.incarnation()) t.fetched.computeIfPresent(c.queueId(), (q, pos) -> Math.max(pos, c.offset()));
        // Acknowledged once a majority holds it (LMDB-durable on each), so the group entity can move to any node
        // after a crash and resume from it. If no majority answers in time the commit still holds locally and is
        // gossiped; the consumer gets its answer either way (delivery is at-least-once).
        replicator.askUpdate(r -> new Replicator.Update<>(key(group), LWWMap.create(), new Replicator.WriteMajority(Duration.ofSeconds(3)), r,
                m -> m.put(self, entry, c.offset())), rsp -> new CommitWritten(c, rsp instanceof Replicator.UpdateSuccess));
        return Behaviors.same();
    }

    private Behavior<Command> onReset(Reset r) {
        if (newerIncarnationKnown(r.topic(), r.incarnation())) {
            r.replyTo().tell(new ResetDone(r.offsets())); // as a commit: offsets of a deleted topic are not kept
            return Behaviors.same();
        }
        forgetOlderIncarnations(r.topic(), r.incarnation());
        TopicMembers t = topics.get(r.topic());
        if (t != null && t.incarnation == r.incarnation()) {
            expire(t, clock.millis());
            if (!t.lastSeen.isEmpty()) {
                r.replyTo().tell(new ResetRefused(new ArrayList<>(t.lastSeen.keySet())));
                return Behaviors.same();
            }
        }
        List<String> entries = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        r.offsets().forEach((q, offset) -> {
            OffsetKey key = new OffsetKey(r.topic(), r.incarnation(), q);
            commit(key, offset);
            entries.add(key.key());
            values.add(offset);
        });
        replicator.askUpdate(u -> new Replicator.Update<>(key(group), LWWMap.create(), new Replicator.WriteMajority(Duration.ofSeconds(3)), u,
                m -> {
                    LWWMap<String, Long> out = m;
                    for (int i = 0; i < entries.size(); i++) out = out.put(self, entries.get(i), values.get(i));
                    return out;
                }), rsp -> new ResetWritten(r, rsp instanceof Replicator.UpdateSuccess));
        return Behaviors.same();
    }

    private Behavior<Command> onDelete(Delete d) {
        long now = clock.millis();
        List<String> live = new ArrayList<>();
        for (var e : topics.entrySet()) {
            expire(e.getValue(), now);
            e.getValue().lastSeen.keySet().forEach(c -> live.add(e.getKey() + ": " + c));
        }
        if (!live.isEmpty()) {
            d.replyTo().tell(new DeleteRefused(live));
            return Behaviors.same();
        }
        boolean existed = !committed.isEmpty() || !topics.isEmpty();
        committed.clear();
        committedIncarnations.clear();
        topics.clear();
        // Every entry is removed (the key itself stays: a deleted Distributed Data key could never be used again, and
        // the group's name may be).
        replicator.askUpdate(u -> new Replicator.Update<>(key(group), LWWMap.create(), new Replicator.WriteMajority(Duration.ofSeconds(3)), u,
                m -> {
                    LWWMap<String, Long> out = m;
                    for (String k : m.getEntries().keySet()) out = out.remove(self, k);
                    return out;
                }), rsp -> new DeleteWritten(d, existed, rsp instanceof Replicator.UpdateSuccess));
        return Behaviors.same();
    }

    private void commit(OffsetKey queue, long offset) {
        committed.put(queue, offset);
        committedIncarnations.computeIfAbsent(queue.topic(), k -> new java.util.TreeSet<>()).add(queue.incarnation());
    }

    /** A later incarnation of {@code topic} has been pulled or committed on: {@code incarnation} is gone. */
    private boolean newerIncarnationKnown(String topic, long incarnation) {
        TopicMembers t = topics.get(topic);
        if (t != null && t.incarnation > incarnation) return true;
        java.util.TreeSet<Long> known = committedIncarnations.get(topic);
        return known != null && !known.isEmpty() && known.last() > incarnation;
    }

    /** Drops the members and committed offsets of the incarnations of {@code topic} before {@code incarnation}. */
    private void forgetOlderIncarnations(String topic, long incarnation) {
        TopicMembers t = topics.get(topic);
        if (t != null && t.incarnation < incarnation) topics.remove(topic);
        java.util.TreeSet<Long> known = committedIncarnations.get(topic);
        if (known == null || known.isEmpty() || known.first() >= incarnation) return; // the usual case: nothing older
        known.headSet(incarnation).clear();
        List<OffsetKey> stale = committed.keySet().stream().filter(k -> k.topic().equals(topic) && k.incarnation() < incarnation).toList();
        if (stale.isEmpty()) return;
        ctx.getLog().info("group {}: dropping the committed offsets of deleted topic incarnation(s) {}", group, stale);
        stale.forEach(committed::remove);
        replicator.askUpdate(r -> new Replicator.Update<>(key(group), LWWMap.create(), new Replicator.WriteMajority(Duration.ofSeconds(3)), r,
                m -> {
                    LWWMap<String, Long> out = m;
                    for (OffsetKey k : stale) out = out.remove(self, k.key());
                    return out;
                }), rsp -> new Written());
    }

    /**
     * The topic incarnations the group has live consumers or committed offsets on. One whose consumers all went silent
     * and that has nothing committed is not listed (as Kafka lists no empty group without offsets): consumers live in
     * memory only, so that is also what a restart leaves of it.
     */
    private GroupView view() {
        long now = clock.millis();
        Map<String, TopicView> views = new TreeMap<>();
        for (var e : topics.entrySet()) {
            TopicMembers t = e.getValue();
            expire(t, now);
            List<String> live = new ArrayList<>(t.lastSeen.keySet());
            List<ConsumerView> consumers = live.stream().map(c -> new ConsumerView(c, now - t.lastSeen.get(c),
                    QueueAssignment.averagely(t.queues, live, c))).toList();
            Map<Integer, Long> offsets = committedOf(e.getKey(), t.incarnation);
            if (!consumers.isEmpty() || !offsets.isEmpty())
                views.put(viewKey(e.getKey(), t.incarnation), new TopicView(e.getKey(), t.incarnation, consumers, offsets));
        }
        for (OffsetKey k : committed.keySet())
            views.computeIfAbsent(viewKey(k.topic(), k.incarnation()),
                    v -> new TopicView(k.topic(), k.incarnation(), List.of(), committedOf(k.topic(), k.incarnation())));
        return new GroupView(group, new ArrayList<>(views.values()));
    }

    /** Sorts views by topic name, then incarnation ('~' sorts after every character a topic name may hold). */
    private static String viewKey(String topic, long incarnation) {
        return topic + "~" + String.format("%019d", incarnation);
    }

    private Map<Integer, Long> committedOf(String topic, long incarnation) {
        Map<Integer, Long> out = new TreeMap<>();
        committed.forEach((k, offset) -> {
            if (k.topic().equals(topic) && k.incarnation() == incarnation) out.put(k.queueId(), offset);
        });
        return out;
    }
}
