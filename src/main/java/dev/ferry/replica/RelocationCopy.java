package dev.ferry.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.journal.TruncateAfter;
import dev.ferry.queue.QueueEntity;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies one queue's log from its master into this node's store ahead of a replica's relocation here
 * ({@link RelocationTargets}), then reports and stops. It writes the persistence id like a replica would, so it holds
 * the node's writer lease for it ({@link LocalWriters}) and an incoming recovery slot for as long as it runs, and
 * gives both back before it reports: the Replica that starts here next takes them. A log this node already held for
 * the queue is dropped first (it may be older than, or diverge from, the master's), and so is a copy the stream left
 * unfinished. The stream is the peer-recovery
 * stream (same throttle, same history in {@link NodeRecoveries}, outcome "completed", before the replica moves).
 */
final class RelocationCopy extends AbstractBehavior<RelocationCopy.Command> {

    sealed interface Command {}

    private record TopicLoaded(Broker.Reply reply, Throwable failure) implements Command {}

    private record TailCut(TruncateAfter.Reply reply) implements Command {}

    private record Offered(QueueEntity.RelocationCopyOffer offer, Throwable failure) implements Command {}

    private record StreamEnded(Throwable failure) implements Command {}

    private record Drained(Throwable streamFailure, Throwable writeFailure) implements Command {}

    private static final Duration ASK = Duration.ofSeconds(10);

    static Behavior<Command> create(String topic, int queue, int copy, String nodeName, String key,
                                    ActorRef<RelocationTargets.Command> parent) {
        return Behaviors.setup(ctx -> new RelocationCopy(ctx, topic, queue, copy, nodeName, key, parent));
    }

    private final String topic;
    private final int queue;
    private final int copy;
    private final String nodeName;
    private final String key;
    private final ActorRef<RelocationTargets.Command> parent;
    private final NodeRecoveries recoveries;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicReference<CompletableFuture<Void>> appends = new AtomicReference<>(CompletableFuture.completedFuture(null));
    private String persistenceId;
    private String pluginId;
    private FlushMode mode;
    private long term;
    private FerryJournalStores.Lease lease;
    private MessageStore store;
    private boolean holdsWriter;
    private boolean holdsSlot;
    private RecoveryStreams.Copying copying;
    private NodeRecoveries.Active active;
    /** Set once an interrupted copy is being dropped: why it was not prepared. */
    private String droppingBecause;
    private long started;

    private RelocationCopy(ActorContext<Command> ctx, String topic, int queue, int copy, String nodeName, String key,
                           ActorRef<RelocationTargets.Command> parent) {
        super(ctx);
        this.topic = topic;
        this.queue = queue;
        this.copy = copy;
        this.nodeName = nodeName;
        this.key = key;
        this.parent = parent;
        this.recoveries = NodeRecoveries.get(ctx.getSystem());
        var broker = ClusterSharding.get(ctx.getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        ctx.ask(Broker.Reply.class, broker, ASK, Broker.Get::new, TopicLoaded::new);
    }

    @Override public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TopicLoaded.class, this::onTopicLoaded)
                .onMessage(TailCut.class, this::onTailCut)
                .onMessage(Offered.class, this::onOffered)
                .onMessage(StreamEnded.class, e -> {
                    getContext().pipeToSelf(appends.get(), (ok, writeFailure) -> new Drained(e.failure(), writeFailure));
                    return this;
                })
                .onMessage(Drained.class, this::onDrained)
                .onSignal(PostStop.class, s -> {
                    if (copying != null) copying.kill().abort(new IllegalStateException("relocation copy stopped"));
                    recoveries.ended(active);
                    release();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onTopicLoaded(TopicLoaded l) {
        if (l.failure() != null || !(l.reply() instanceof Broker.TopicReply t))
            return notPrepared("the topic could not be read: " + (l.failure() != null ? l.failure().getMessage() : l.reply()));
        TopicState state = t.state();
        if (state.deleted() || queue >= state.queues().size() || copy > state.settings().replicas())
            return notPrepared("the topic, queue or copy no longer exists");
        QueueRoute route = state.queues().get(queue);
        persistenceId = state.persistenceId(queue);
        pluginId = state.settings().flush().journalPluginId();
        mode = state.settings().flush() == TopicSettings.Flush.SYNC ? FlushMode.SYNC : FlushMode.ASYNC;
        term = route.term();
        lease = FerryJournalStores.acquire(getContext().getSystem().settings().config().getConfig(pluginId));
        store = lease.store();
        var holder = LocalWriters.tryAcquire(lease.dir(), persistenceId, getContext().getSelf(), false);
        if (holder.isPresent()) return notPrepared("a copy of " + persistenceId + " already writes on this node");
        holdsWriter = true;
        if (!recoveries.incoming().tryAcquire())
            return notPrepared("this node receives ferry.allocation.node-concurrent-incoming-recoveries = "
                    + recoveries.incoming().limit() + " recoveries already");
        holdsSlot = true;
        if (store.highestSequence(persistenceId) > 0) {
            dropLocalLog();
            return this;
        }
        return requestCopy();
    }

    private Behavior<Command> onTailCut(TailCut c) {
        if (droppingBecause != null) {
            // An unfinished copy is not left behind to take disk space (ES deletes a cancelled relocation's files).
            if (c.reply() instanceof TruncateAfter.Failed f)
                getContext().getLog().warn("relocation copy of {}: dropping the unfinished copy failed: {}", persistenceId, f.error());
            return notPrepared(droppingBecause);
        }
        if (c.reply() instanceof TruncateAfter.Failed f) return notPrepared("dropping this node's old log failed: " + f.error());
        return requestCopy();
    }

    /** Cuts this node's log of the queue back to nothing (old or unfinished copy); the answer comes as a {@link TailCut}. */
    private void dropLocalLog() {
        TruncateAfter.send(getContext(), pluginId, persistenceId, 0, TailCut::new);
    }

    private Behavior<Command> requestCopy() {
        var master = ClusterSharding.get(getContext().getSystem()).entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, queue));
        getContext().ask(QueueEntity.RelocationCopyOffer.class, master, ASK,
                r -> new QueueEntity.StartRelocationCopy(copy, term, 1, nodeName, r), Offered::new);
        return this;
    }

    private Behavior<Command> onOffered(Offered o) {
        if (o.failure() != null) return notPrepared("the master did not answer: " + o.failure().getMessage());
        if (o.offer().source() == null) return notPrepared("the master refused: " + o.offer().refusal());
        started = System.currentTimeMillis();
        getContext().getLog().info("relocation copy of {} for replica {}: copying the master's log (term {})", persistenceId, copy, term);
        active = recoveries.started(persistenceId, copy, "incoming", 1, bytes, true);
        copying = RecoveryStreams.writeInto(o.offer().source(), store, persistenceId, 0, mode, recoveries.bucket(),
                getContext().getSystem(), bytes, appends);
        getContext().pipeToSelf(copying.done(), (ok, failure) -> new StreamEnded(failure));
        return this;
    }

    private Behavior<Command> onDrained(Drained d) {
        copying = null;
        recoveries.ended(active);
        long highest = store.highestSequence(persistenceId);
        String outcome = d.writeFailure() != null ? "write failed: " + d.writeFailure()
                : d.streamFailure() != null ? "interrupted: " + d.streamFailure().getMessage() : "completed";
        recoveries.record(new NodeRecoveries.Record(persistenceId, copy, "incoming", 1, highest, bytes.get(), started,
                System.currentTimeMillis(), outcome));
        getContext().getLog().info("relocation copy of {} for replica {}: {} at seq {} ({} bytes)", persistenceId, copy, outcome, highest, bytes.get());
        if (d.writeFailure() != null) return notPrepared(outcome);
        if (d.streamFailure() != null) {
            droppingBecause = outcome;
            dropLocalLog();
            return this;
        }
        release();
        parent.tell(new RelocationTargets.Finished(key, new RelocationTargets.Prepared(topic, queue, copy, nodeName, highest)));
        return Behaviors.stopped();
    }

    private Behavior<Command> notPrepared(String reason) {
        getContext().getLog().info("relocation copy of {}/{} for replica {} not made: {}", topic, queue, copy, reason);
        release();
        parent.tell(new RelocationTargets.Finished(key, new RelocationTargets.NotPrepared(topic, queue, copy, nodeName, reason)));
        return Behaviors.stopped();
    }

    private void release() {
        if (holdsSlot) {
            holdsSlot = false;
            recoveries.incoming().release();
        }
        if (holdsWriter) {
            holdsWriter = false;
            LocalWriters.release(lease.dir(), persistenceId, getContext().getSelf());
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
