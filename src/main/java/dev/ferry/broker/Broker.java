package dev.ferry.broker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.LWWRegisterKey;
import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.ORSetKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.ferry.cluster.CborSerializable;
import dev.ferry.queue.QueueEntity;
import dev.ferry.replica.Replica;

import java.time.Duration;
import java.util.Objects;

/**
 * The Broker entity: one per topic (entity id = topic name). It is the only writer of its topic's metadata —
 * settings and per-queue routing state ({@link TopicState}) — which lives in durable Distributed Data under
 * {@code topic-<name>}, written with WriteMajority and read back with ReadMajority when the entity starts (on any
 * node), the way Akka's ShardCoordinator keeps its own state. Every node's {@link dev.ferry.cluster.RouteTable}
 * reads the same key locally, so sends never ask the Broker.
 *
 * <p>Commands are handled one at a time: while a metadata write is in flight, further commands are stashed, so each
 * write starts from the state the previous one produced.
 */
public final class Broker {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "broker");

    /** Index of every topic name ever created (tombstones included); route tables subscribe to it to find topic keys. */
    public static final akka.cluster.ddata.Key<ORSet<String>> TOPICS_KEY = ORSetKey.create("topics");

    public static akka.cluster.ddata.Key<LWWRegister<TopicState>> key(String topic) {
        return LWWRegisterKey.create("topic-" + topic);
    }

    // ---------------------------------------------------------------- protocol

    public sealed interface Command extends CborSerializable {}

    /** Create the topic, or answer with it when it already exists with the same settings (PUT is idempotent). */
    public record Create(TopicSettings settings, ActorRef<Reply> replyTo) implements Command {}

    public record Patch(SettingsPatch patch, ActorRef<Reply> replyTo) implements Command {}

    public record Delete(ActorRef<Reply> replyTo) implements Command {}

    public record Get(ActorRef<Reply> replyTo) implements Command {}

    /** Sent by a Queue (copy 0..) or Replica entity when it starts on a node: that node now holds the copy's data. */
    public record CopyStarted(int queueId, int copy, String node) implements Command {}

    /**
     * Sent by a Queue entity before it serves: it starts on {@code node} as master with a new term. Answered with a
     * {@link RouteReply} once a majority has the new route (term bumped; slots swapped on a promotion), or
     * {@link Rejected} when the node holds no in-sync copy or the write was not confirmed.
     */
    public record Promote(int queueId, String node, ActorRef<Reply> replyTo) implements Command {}

    /**
     * The master of {@code term} reports its in-sync set and the node each of those copies lives on (a copy that moved
     * is recorded where the master heard it caught up, so a promotion never picks the copy's old node); answered with
     * {@link RouteReply} once a majority has it.
     */
    public record SetInSync(int queueId, long term, java.util.List<Integer> inSync, java.util.Map<Integer, String> nodes,
                            ActorRef<Reply> replyTo) implements Command {}

    /**
     * Sharding's stop message (passivation, hand-off): the entity stops once what it is doing is done. Without it
     * sharding stopped the actor at once: a Get of an unknown topic passivates the entity, and a Create that reached
     * it meanwhile (a send's auto-create, a PUT right after a 404) was written but never answered.
     */
    public record Stop() implements Command {}

    private record Loaded(TopicState state, boolean fromMajority) implements Command {}

    private record Written(TopicState state, boolean confirmed, String failure) implements Command {}

    private record IndexWritten() implements Command {}

    public sealed interface Reply extends CborSerializable {}

    public record TopicReply(TopicState state, boolean created) implements Reply {}

    public record NotFound(String topic) implements Reply {}

    public record RouteReply(QueueRoute route) implements Reply {}

    /** A refused command: {@code status} is the HTTP status the API answers with (400, 409, 503). */
    public record Rejected(int status, String error, String detail) implements Reply {}

    // ---------------------------------------------------------------- behaviour

    public static Behavior<Command> create(akka.cluster.sharding.typed.javadsl.EntityContext<Command> entity, Duration writeTimeout) {
        String topic = entity.getEntityId();
        return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> {
            var replicator = new ReplicatorMessageAdapter<Command, LWWRegister<TopicState>>(
                    ctx, DistributedData.get(ctx.getSystem()).replicator(), writeTimeout);
            var index = new ReplicatorMessageAdapter<Command, ORSet<String>>(
                    ctx, DistributedData.get(ctx.getSystem()).replicator(), writeTimeout);
            return new Broker(topic, writeTimeout, ctx, stash, replicator, index, entity.getShard()).loading();
        }));
    }

    private final String topic;
    private final Duration timeout;
    private final ActorContext<Command> ctx;
    private final StashBuffer<Command> stash;
    private final ReplicatorMessageAdapter<Command, LWWRegister<TopicState>> replicator;
    private final ReplicatorMessageAdapter<Command, ORSet<String>> index;
    private final SelfUniqueAddress self;
    private final akka.cluster.ddata.Key<LWWRegister<TopicState>> key;
    private final ActorRef<akka.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard;
    /** The state in memory is not known to be on a majority (its last write timed out or failed). */
    private boolean unconfirmed;

    private Broker(String topic, Duration timeout, ActorContext<Command> ctx, StashBuffer<Command> stash,
                   ReplicatorMessageAdapter<Command, LWWRegister<TopicState>> replicator,
                   ReplicatorMessageAdapter<Command, ORSet<String>> index,
                   ActorRef<akka.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard) {
        this.shard = shard;
        this.topic = topic;
        this.timeout = timeout;
        this.ctx = ctx;
        this.stash = stash;
        this.replicator = replicator;
        this.index = index;
        this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
        this.key = key(topic);
    }

    private Behavior<Command> loading() {
        replicator.askGet(r -> new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), r), rsp -> {
            if (rsp instanceof Replicator.GetSuccess<LWWRegister<TopicState>> ok) return new Loaded(ok.get(key).getValue(), true);
            if (rsp instanceof Replicator.NotFound<LWWRegister<TopicState>>) return new Loaded(null, true);
            return new Loaded(null, false);
        });
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, l -> {
                    if (!l.fromMajority()) {
                        // Another member may hold a newer state than this node's copy (a write confirmed by a majority
                        // that did not include this node): ask the majority again. Only a lone node reads its own copy.
                        if (otherMembers()) {
                            ctx.getLog().warn("topic {}: no majority answered; asking again", topic);
                            return loading();
                        }
                        return loadLocally();
                    }
                    return stash.unstashAll(idle(l.state()));
                })
                .onAnyMessage(m -> { stash.stash(m); return Behaviors.same(); })
                .build();
    }

    private boolean otherMembers() {
        var self = akka.cluster.typed.Cluster.get(ctx.getSystem()).selfMember();
        for (var m : akka.cluster.typed.Cluster.get(ctx.getSystem()).state().getMembers())
            if (!m.equals(self) && m.status() != akka.cluster.MemberStatus.down() && m.status() != akka.cluster.MemberStatus.removed()) return true;
        return false;
    }

    /** A majority could not be reached on a lone node (restarting alone): fall back to this node's durable copy. */
    private Behavior<Command> loadLocally() {
        ctx.getLog().warn("topic {}: no majority answered, using this node's copy of the metadata", topic);
        replicator.askGet(r -> new Replicator.Get<>(key, Replicator.readLocal(), r), rsp ->
                rsp instanceof Replicator.GetSuccess<LWWRegister<TopicState>> ok ? new Loaded(ok.get(key).getValue(), true) : new Loaded(null, true));
        return Behaviors.same();
    }

    private Behavior<Command> idle(TopicState state) {
        return Behaviors.receive(Command.class)
                .onMessage(Get.class, g -> {
                    g.replyTo().tell(state == null || state.deleted() ? new NotFound(topic) : new TopicReply(state, false));
                    // A lookup of a topic that never existed must not leave a (remembered) entity behind.
                    if (state == null) shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
                    return Behaviors.same();
                })
                .onMessage(Create.class, c -> onCreate(state, c))
                .onMessage(Patch.class, p -> onPatch(state, p))
                .onMessage(Delete.class, d -> onDelete(state, d))
                .onMessage(CopyStarted.class, s -> onCopyStarted(state, s))
                .onMessage(Promote.class, p -> onPromote(state, p))
                .onMessage(SetInSync.class, i -> onSetInSync(state, i))
                .onMessage(IndexWritten.class, l -> Behaviors.same())
                .onMessage(Stop.class, s -> Behaviors.stopped())
                .build();
    }

    private Behavior<Command> onCreate(TopicState state, Create c) {
        String problem = c.settings().validate();
        if (problem != null) {
            c.replyTo().tell(new Rejected(400, "invalid_settings", problem));
            return Behaviors.same();
        }
        if (state != null && state.live()) {
            if (state.settings().equals(c.settings())) c.replyTo().tell(new TopicReply(state, false));
            else c.replyTo().tell(new Rejected(409, "topic_exists",
                    "topic " + topic + " already exists with other settings; change them with PATCH /topics/" + topic + "/settings"));
            return Behaviors.same();
        }
        long incarnation = state == null ? 0 : state.incarnation() + 1;
        TopicState fresh = new TopicState(topic, c.settings(), java.util.List.of(), incarnation, false,
                System.currentTimeMillis(), state == null ? 1 : state.version() + 1).withSettings(c.settings());
        index.askUpdate(r -> new Replicator.Update<>(TOPICS_KEY, ORSet.empty(), new Replicator.WriteMajority(timeout), r,
                set -> set.add(self, topic)), rsp -> new IndexWritten());
        return write(fresh, ok -> {
            c.replyTo().tell(ok ? new TopicReply(fresh, true) : unconfirmed());
            wakeCopies(fresh);
        });
    }

    private Behavior<Command> onPatch(TopicState state, Patch p) {
        if (state == null || state.deleted()) {
            p.replyTo().tell(new NotFound(topic));
            return Behaviors.same();
        }
        TopicSettings next;
        try {
            next = p.patch().applyTo(state.settings());
        } catch (IllegalArgumentException e) {
            p.replyTo().tell(new Rejected(400, "invalid_settings", e.getMessage()));
            return Behaviors.same();
        }
        TopicState updated = state.withSettings(next);
        int oldReplicas = state.settings().replicas();
        return write(updated, ok -> {
            p.replyTo().tell(ok ? new TopicReply(updated, false) : unconfirmed());
            wakeCopies(updated);
            // Fewer replicas: the surplus copies stop (passivate) and are no longer placed.
            var sharding = ClusterSharding.get(ctx.getSystem());
            for (QueueRoute q : updated.queues())
                for (int copy = next.replicas() + 1; copy <= oldReplicas; copy++)
                    if (everStarted(q, copy))
                        sharding.entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, q.queueId(), copy)).tell(new Replica.TopicDeleted());
            // Running queues pick up flush mode / size limit changes from their route table subscription.
        });
    }

    private Behavior<Command> onDelete(TopicState state, Delete d) {
        if (state == null || state.deleted()) {
            d.replyTo().tell(new NotFound(topic));
            return Behaviors.same();
        }
        TopicState tomb = state.asDeleted();
        return write(tomb, ok -> {
            d.replyTo().tell(ok ? new TopicReply(tomb, false) : unconfirmed());
            var sharding = ClusterSharding.get(ctx.getSystem());
            for (QueueRoute q : tomb.queues()) {
                sharding.entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, q.queueId())).tell(new QueueEntity.TopicDeleted());
                for (int copy = 1; copy <= tomb.settings().replicas(); copy++)
                    if (everStarted(q, copy))
                        sharding.entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, q.queueId(), copy)).tell(new Replica.TopicDeleted());
            }
        });
    }

    /**
     * Whether replica {@code copy} ever ran (and so may hold data to drop). A copy that never did has no node, and
     * sharding no longer places a copy its topic gave up: a message to it would wait in the region's buffer for good.
     */
    private static boolean everStarted(QueueRoute q, int copy) {
        return !q.nodes().getOrDefault(copy, "").isEmpty();
    }

    private Behavior<Command> onCopyStarted(TopicState state, CopyStarted s) {
        if (state == null || state.deleted() || s.queueId() >= state.queues().size()) return Behaviors.same();
        QueueRoute route = state.queues().get(s.queueId());
        if (Objects.equals(route.nodes().get(s.copy()), s.node()) && !unconfirmed) return Behaviors.same();
        QueueRoute next = route.withReplicaOn(s.copy(), s.node());
        ctx.getLog().info("topic {}: queue {} copy {} started on {}; in sync {}", topic, s.queueId(), s.copy(), s.node(), next.inSync());
        return write(state.withQueue(next), ok -> {});
    }

    private Behavior<Command> onPromote(TopicState state, Promote p) {
        if (state == null || state.deleted() || p.queueId() >= state.queues().size()) {
            p.replyTo().tell(new NotFound(topic));
            return Behaviors.same();
        }
        QueueRoute route = state.queues().get(p.queueId());
        QueueRoute next = route.promotedOn(p.node());
        if (next == null) {
            p.replyTo().tell(new Rejected(409, "not_in_sync", "node " + p.node() + " holds no in-sync copy of " + topic + "/"
                    + p.queueId() + " (in-sync copies: " + route.inSync() + " on " + route.nodes() + "); it may not serve as master"));
            return Behaviors.same();
        }
        ctx.getLog().info("topic {}: queue {} master on {} with term {} (was {} on {})", topic, p.queueId(), p.node(), next.term(),
                route.term(), route.masterNode());
        return write(state.withQueue(next), ok -> p.replyTo().tell(ok ? new RouteReply(next) : unconfirmed()));
    }

    private Behavior<Command> onSetInSync(TopicState state, SetInSync i) {
        if (state == null || state.deleted() || i.queueId() >= state.queues().size()) {
            i.replyTo().tell(new NotFound(topic));
            return Behaviors.same();
        }
        QueueRoute route = state.queues().get(i.queueId());
        QueueRoute next = route.withInSync(i.term(), i.inSync(), i.nodes());
        if (next == null) {
            i.replyTo().tell(new Rejected(409, "stale_term", "term " + i.term() + " is not the current term " + route.term()));
            return Behaviors.same();
        }
        if (next.equals(route) && !unconfirmed) {
            i.replyTo().tell(new RouteReply(route));
            return Behaviors.same();
        }
        if (!next.equals(route) || unconfirmed)
            ctx.getLog().info("topic {}: queue {} in sync {} on {} (term {})", topic, i.queueId(), next.inSync(), next.nodes(), next.term());
        return write(state.withQueue(next), ok -> i.replyTo().tell(ok ? new RouteReply(next) : unconfirmed()));
    }

    private Rejected unconfirmed() {
        return new Rejected(503, "not_confirmed",
                "the topic metadata change was not confirmed by a majority of nodes in time; it may still apply, retry to be sure");
    }

    /** Writes with WriteMajority, stashing every command until the write is answered. */
    private Behavior<Command> write(TopicState next, java.util.function.Consumer<Boolean> then) {
        replicator.askUpdate(r -> new Replicator.Update<>(key, LWWRegister.create(self, next), new Replicator.WriteMajority(timeout), r,
                cur -> cur.withValue(self, next)), rsp -> {
            if (rsp instanceof Replicator.UpdateSuccess<LWWRegister<TopicState>>) return new Written(next, true, null);
            return new Written(next, false, rsp.getClass().getSimpleName());
        });
        return Behaviors.receive(Command.class)
                .onMessage(Written.class, w -> {
                    // An unconfirmed state is written again by the next command, even one that changes nothing: a
                    // master retrying its in-sync report must not be answered from this node's memory alone.
                    unconfirmed = !w.confirmed();
                    if (!w.confirmed()) ctx.getLog().warn("topic {}: metadata write not confirmed by a majority ({})", topic, w.failure());
                    then.accept(w.confirmed());
                    // The local replica holds the new value even when the majority did not confirm in time.
                    return stash.unstashAll(idle(w.state()));
                })
                .onMessage(IndexWritten.class, l -> Behaviors.same())
                .onAnyMessage(m -> { stash.stash(m); return Behaviors.same(); })
                .build();
    }

    /** Starts every copy of every queue, so sharding places them now (not on the first send) and placement is visible. */
    private void wakeCopies(TopicState state) {
        var sharding = ClusterSharding.get(ctx.getSystem());
        for (QueueRoute q : state.queues()) {
            sharding.entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, q.queueId())).tell(new QueueEntity.Wake());
            for (int copy = 1; copy <= state.settings().replicas(); copy++)
                sharding.entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, q.queueId(), copy)).tell(new Replica.Wake());
        }
    }
}
