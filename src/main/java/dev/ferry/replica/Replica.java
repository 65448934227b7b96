package dev.ferry.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicState;
import dev.ferry.cluster.CborSerializable;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.node.FerryMetrics;
import dev.ferry.queue.QueueEntity;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Replica entity: replica copy n (n >= 1) of one queue, entity id {@code topic/queueId/n}, placed by
 * FerryAllocationStrategy like the master. It appends what the master ships ({@link Ship}) to its own node's store
 * under the queue's persistence id and the master's sequence numbers — byte for byte the master's records — and
 * acknowledges with its highest durable sequence number ({@link QueueEntity.ReplicaAck}).
 *
 * <p>Terms: a replica never accepts a shipment of a lower term than it has seen (it answers
 * {@link QueueEntity.ReplicaRefused}, which fences the stale master). The first shipment of a newer term carries
 * the sequence number the new master started its term at; a replica holding more than that cuts the surplus (the
 * old master's unacknowledged tail the new master never had) before appending.
 *
 * <p>Writers: it writes only while it holds the node's {@link LocalWriters} lease for the persistence id; a Queue
 * starting on this node (promotion) takes the lease over with {@link HandOver}, answered after the replica's last
 * write is durable. A replica that finds the lease held by the local master stays dormant and writes nothing.
 *
 * <p>Start-up: a replica whose slot is not in the in-sync set on this node starts its log over (cuts it to nothing)
 * and copies it again from the master: its old data may be a former master's divergent tail (docs/replication.md).
 */
public final class Replica extends AbstractBehavior<Replica.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "replica");

    public static String entityId(String topic, int queueId, int copy) {
        return topic + "/" + queueId + "/" + copy;
    }

    // ---------------------------------------------------------------- protocol

    public sealed interface Command extends CborSerializable {}

    public record Wake() implements Command {}

    public record TopicDeleted() implements Command {}

    /**
     * Records from the master of {@code term}: they continue the log after {@code prevSeq} (the master has nothing in
     * between: retention may have removed it). Empty records = a probe, answered with the replica's position.
     *
     * @param termStartSeq the master's highest sequence number when its term began
     * @param syncFlush    the topic's flush mode: acknowledge only after the records are forced to disk
     */
    public record Ship(long term, long termStartSeq, long prevSeq, List<ShippedRecord> records, boolean syncFlush,
                       ActorRef<QueueEntity.Command> master) implements Command {}

    /** From the Queue starting on this node: stop writing, answer once the last write is durable, then stop. */
    public record HandOver(ActorRef<HandedOver> replyTo) implements Command {}

    public record HandedOver(long highestSeq) implements CborSerializable {}

    private record TopicLoaded(Broker.Reply reply, Throwable failure) implements Command {}

    private record Written(long seq, Throwable failure) implements Command {}

    private record RetryLoad() implements Command {}

    // ---------------------------------------------------------------- behaviour

    public static Behavior<Command> create(EntityContext<Command> entity, String nodeName) {
        return Behaviors.setup(ctx -> new Replica(ctx, entity, nodeName));
    }

    private final EntityContext<Command> entity;
    private final String nodeName;
    private final String topic;
    private final int queueId;
    private final int copy;
    private String persistenceId;
    private FerryJournalStores.Lease lease;
    private MessageStore store;
    private boolean ready;
    private boolean dormant;
    private boolean holdsLease;
    private long term;
    private long highest;
    private long durable;
    private int writesInFlight;
    private final List<Ship> deferred = new ArrayList<>();
    private ActorRef<HandedOver> handOverTo;
    /** Where acknowledgements go: the master of the newest shipment. */
    private ActorRef<QueueEntity.Command> lastMaster;

    private Replica(ActorContext<Command> ctx, EntityContext<Command> entity, String nodeName) {
        super(ctx);
        this.entity = entity;
        this.nodeName = nodeName;
        String[] parts = entity.getEntityId().split("/");
        this.topic = String.join("/", java.util.Arrays.copyOf(parts, parts.length - 2));
        this.queueId = Integer.parseInt(parts[parts.length - 2]);
        this.copy = Integer.parseInt(parts[parts.length - 1]);
        FerryMetrics.COPIES.labels("replica").inc();
        loadTopic();
    }

    private void loadTopic() {
        var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        getContext().ask(Broker.Reply.class, broker, Duration.ofSeconds(5), Broker.Get::new, TopicLoaded::new);
    }

    @Override public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wake.class, w -> this)
                .onMessage(TopicDeleted.class, d -> {
                    entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
                    return this;
                })
                .onMessage(TopicLoaded.class, this::onTopicLoaded)
                .onMessage(RetryLoad.class, r -> {
                    if (!ready && !dormant) loadTopic();
                    return this;
                })
                .onMessage(Ship.class, this::onShip)
                .onMessage(Written.class, this::onWritten)
                .onMessage(HandOver.class, this::onHandOver)
                .onSignal(PostStop.class, s -> {
                    releaseWriter();
                    FerryMetrics.COPIES.labels("replica").dec();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onTopicLoaded(TopicLoaded l) throws IOException {
        if (l.failure() != null) {
            getContext().scheduleOnce(Duration.ofSeconds(1), getContext().getSelf(), new RetryLoad());
            return this;
        }
        if (!(l.reply() instanceof Broker.TopicReply t) || queueId >= t.state().queues().size()) {
            entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
            return this;
        }
        if (ready || dormant) return this;
        TopicState state = t.state();
        persistenceId = state.persistenceId(queueId);
        String pluginId = state.settings().flush().journalPluginId();
        if (lease == null) lease = FerryJournalStores.acquire(getContext().getSystem().settings().config().getConfig(pluginId));
        store = lease.store();
        var holder = LocalWriters.tryAcquire(lease.dir(), persistenceId, getContext().getSelf(), false);
        if (holder.isPresent()) {
            // The master of this queue runs on this node (promoted onto this node's data): nothing to replicate here.
            dormant = true;
            getContext().getLog().info("replica {}: the master of {} runs on this node; staying dormant", entity.getEntityId(), persistenceId);
            return this;
        }
        holdsLease = true;
        QueueRoute route = state.queues().get(queueId);
        boolean ourData = nodeName.equals(route.nodes().get(copy)) && route.inSync().contains(copy);
        if (!ourData && store.highestSequence(persistenceId) > 0) {
            getContext().getLog().info("replica {}: local log of {} is not an in-sync copy (up to seq {}); copying it again from the master",
                    entity.getEntityId(), persistenceId, store.highestSequence(persistenceId));
            store.truncateAfter(persistenceId, 0);
        }
        highest = durable = store.highestSequence(persistenceId);
        term = route.term();
        ready = true;
        ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic)
                .tell(new Broker.CopyStarted(queueId, copy, nodeName));
        return this;
    }

    private Behavior<Command> onShip(Ship s) throws IOException {
        if (dormant && handOverTo == null && LocalWriters.holder(lease.dir(), persistenceId).isEmpty()) {
            // The local master moved away (or stopped): this copy may write again, after the start-up checks.
            dormant = false;
            loadTopic();
            return this;
        }
        if (!ready || dormant) return this; // the master probes again
        if (s.term() < term) {
            s.master().tell(new QueueEntity.ReplicaRefused(copy, term));
            return this;
        }
        if (s.term() > term) {
            if (writesInFlight > 0) {
                deferred.add(s); // cut the tail only once no write is in flight
                return this;
            }
            if (highest > s.termStartSeq()) {
                getContext().getLog().info("replica {}: term {} began at seq {}; cutting this copy's tail after it (was {})",
                        entity.getEntityId(), s.term(), s.termStartSeq(), highest);
                store.truncateAfter(persistenceId, s.termStartSeq());
                highest = durable = store.highestSequence(persistenceId);
            }
            term = s.term();
        }
        if (s.prevSeq() > highest) {
            s.master().tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, true));
            return this;
        }
        List<AppendRecord> group = new ArrayList<>(s.records().size());
        for (ShippedRecord r : s.records())
            if (r.sequenceNr() > highest) group.add(new AppendRecord(persistenceId, r.sequenceNr(), r.tagHash(), r.payload()));
        if (group.isEmpty()) {
            s.master().tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, false));
            return this;
        }
        long last = group.get(group.size() - 1).sequenceNr();
        var written = store.append(group, s.syncFlush() ? FlushMode.SYNC : FlushMode.ASYNC);
        highest = last;
        writesInFlight++;
        lastMaster = s.master();
        getContext().pipeToSelf(written, (ok, failure) -> new Written(last, failure));
        return this;
    }

    private Behavior<Command> onWritten(Written w) throws IOException {
        writesInFlight--;
        if (w.failure() != null) {
            // Never swallow an IO failure: the copy is not durable; stopping takes it out of the in-sync set.
            getContext().getLog().error("replica {}: writing {} failed", entity.getEntityId(), persistenceId, w.failure());
            throw new IllegalStateException("replica write failed", w.failure());
        }
        durable = Math.max(durable, w.seq());
        if (lastMaster != null) lastMaster.tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, false));
        if (writesInFlight == 0) {
            if (handOverTo != null) return finishHandOver();
            List<Ship> again = new ArrayList<>(deferred);
            deferred.clear();
            for (Ship s : again) onShip(s);
        }
        return this;
    }

    private Behavior<Command> onHandOver(HandOver h) {
        dormant = true;
        deferred.clear();
        handOverTo = h.replyTo();
        if (writesInFlight == 0) return finishHandOver();
        return this;
    }

    private Behavior<Command> finishHandOver() {
        getContext().getLog().info("replica {}: handing {} over to the local master at seq {}", entity.getEntityId(), persistenceId, highest);
        releaseWriter();
        handOverTo.tell(new HandedOver(highest));
        return Behaviors.stopped();
    }

    private void releaseWriter() {
        if (holdsLease) {
            LocalWriters.release(lease.dir(), persistenceId, getContext().getSelf());
            holdsLease = false;
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
