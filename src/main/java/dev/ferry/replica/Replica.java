package dev.ferry.replica;

import akka.Done;
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
import akka.stream.SourceRef;
import akka.stream.UniqueKillSwitch;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import dev.ferry.cluster.CborSerializable;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.journal.TruncateAfter;
import dev.ferry.node.FerryMetrics;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.QueueMessage;
import dev.ferry.queue.QueueStore;
import dev.ferry.queue.TagFilter;
import dev.ferry.recovery.DivergenceSearch;
import dev.ferry.recovery.LogFingerprint;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Replica entity: replica copy n (n >= 1) of one queue, entity id {@code topic/queueId/n}, placed by
 * FerryAllocationStrategy like the master. It appends what the master ships ({@link Ship}) to its own node's store
 * under the queue's persistence id and the master's sequence numbers — byte for byte the master's records — and
 * acknowledges with its highest durable sequence number ({@link QueueEntity.ReplicaAck}).
 *
 * <p>Following a master (docs/replication.md, "Peer recovery"): before it accepts anything from a master it has not
 * followed yet (start-up, a new term), it compares its log with the master's ({@link DivergenceSearch}: its last
 * entry first) and cuts only the divergent tail, through the journal plugin's {@link TruncateAfter}. A replica more
 * than {@code recovery.min-lag-records} behind then copies the log by peer recovery: the master offers an Akka
 * Streams {@link SourceRef} of its log from the replica's own next sequence number, throttled by both nodes'
 * byte-rate caps and counted against both nodes' concurrent-recovery limits ({@link NodeRecoveries}); each chunk is
 * appended as it arrives, so an interrupted recovery resumes from what the replica persisted. Nearer replicas catch
 * up by ordinary shipments.
 *
 * <p>Terms: a replica never accepts a shipment of a lower term than it has seen (it answers
 * {@link QueueEntity.ReplicaRefused}, which fences the stale master).
 *
 * <p>Writers: it writes only while it holds the node's {@link LocalWriters} lease for the persistence id; a Queue
 * starting on this node (promotion) takes the lease over with {@link HandOver}, answered after the replica's last
 * write (shipment or recovery chunk) is durable. A replica that finds the lease held by the local master stays
 * dormant and writes nothing.
 *
 * <p>Reads ({@link Read}): a replica serves consumers up to what it holds durable and the master has committed
 * (the master's high-water mark, carried by every shipment), never further.
 */
public final class Replica extends AbstractBehavior<Replica.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "replica");

    /** Entries compared per round trip of the divergence search. */
    private static final int PROBES_PER_ROUND = 16;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

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
     * @param committedSeq the master's high-water mark: every in-sync copy holds the log up to it durably
     */
    public record Ship(long term, long termStartSeq, long prevSeq, List<ShippedRecord> records, boolean syncFlush,
                       long committedSeq, ActorRef<QueueEntity.Command> master) implements Command {

        public Ship(long term, long termStartSeq, long prevSeq, List<ShippedRecord> records, boolean syncFlush,
                    ActorRef<QueueEntity.Command> master) {
            this(term, termStartSeq, prevSeq, records, syncFlush, 0, master);
        }
    }

    /** From the Queue starting on this node: stop writing, answer once the last write is durable, then stop. */
    public record HandOver(ActorRef<HandedOver> replyTo) implements Command {}

    /** @param committedSeq the last high-water mark this replica heard from the master: the new master starts from it */
    public record HandedOver(long highestSeq, long committedSeq) implements CborSerializable {}

    /** The master's verdict on the entries of a {@link QueueEntity.CompareLog}, and its own end. */
    public record LogCompared(long term, long checkId, List<Boolean> matches, long masterHighestSeq) implements Command {}

    /** The master's log from {@code fromSeq}, as a stream this replica subscribes to once. */
    public record RecoveryOffer(long term, long recoveryId, SourceRef<RecoveryChunk> source, long fromSeq) implements Command {}

    /** The master cannot serve a recovery now (its node's outgoing limit, not ready): try again after retry-delay. */
    public record RecoveryRefused(long term, long recoveryId, String reason) implements Command {}

    /**
     * A consumer's read (like {@link QueueEntity.Read}), served from this copy up to what it holds durable and what
     * the master committed — at least {@code committedSeq} when the master forwards a read (slave read). With
     * {@code waitMs} > 0 a read at the readable end waits (long polling) until more is readable here or the time is up.
     * At most {@code max} messages and, past the first, {@code maxBytes} ({@link dev.ferry.queue.ReadBudget}).
     */
    public record Read(long offset, int max, long maxBytes, TagFilter filter, long committedSeq, long waitMs,
                       ActorRef<QueueEntity.ReadReply> replyTo) implements Command {}

    private record ReadExpired(long id) implements Command {}

    private record TopicLoaded(Broker.Reply reply, Throwable failure) implements Command {}

    private record Written(long seq, Throwable failure) implements Command {}

    private record RetryLoad() implements Command {}

    private record CheckTimedOut(long checkId) implements Command {}

    private record TailCut(TruncateAfter.Reply reply) implements Command {}

    private record RetryRecovery(long recoveryId) implements Command {}

    private record OfferTimedOut(long recoveryId) implements Command {}

    private record RecoveryEnded(long recoveryId, Throwable failure) implements Command {}

    private record RecoveryDrained(long recoveryId, Throwable streamFailure, Throwable writeFailure) implements Command {}

    // ---------------------------------------------------------------- behaviour

    public static Behavior<Command> create(EntityContext<Command> entity, String nodeName) {
        return Behaviors.setup(ctx -> new Replica(ctx, entity, nodeName));
    }

    /** Where a ready replica stands with its master. */
    private enum Phase { FOLLOWING, CHECKING, RECOVERING }

    private final EntityContext<Command> entity;
    private final String nodeName;
    private final String topic;
    private final int queueId;
    private final int copy;
    private final NodeRecoveries recoveries;
    private String persistenceId;
    private String pluginId;
    private TopicSettings.Flush flush = TopicSettings.Flush.ASYNC;
    private FerryJournalStores.Lease lease;
    private MessageStore store;
    private QueueStore reader;
    private NodeRecoveries.Active activeRecovery;
    /** Long-polling reads waiting for more to be readable, by id (answered in order of arrival). */
    private final java.util.LinkedHashMap<Long, Read> parked = new java.util.LinkedHashMap<>();
    private long lastParkedId;
    private boolean ready;
    private boolean dormant;
    private boolean holdsLease;
    private long term;
    private long highest;
    private long durable;
    private long masterCommitted;
    private int writesInFlight;
    private ActorRef<HandedOver> handOverTo;
    /** The master this replica follows (its log was compared with ours); null = none yet. */
    private ActorRef<QueueEntity.Command> master;
    private Phase phase = Phase.FOLLOWING;
    /** A comparison must start once the writes in flight (or the recovery stream) are done. */
    private boolean checkPending;
    private DivergenceSearch search;
    private long checkId;
    private long masterHighestSeen;
    // peer recovery
    private long recoveryId;
    private boolean holdsIncomingSlot;
    private UniqueKillSwitch recoveryKill;
    private boolean streamActive;
    private long recoveryFrom;
    private long recoveryStarted;
    private final AtomicLong recoveryBytes = new AtomicLong();
    private final AtomicReference<CompletableFuture<Void>> recoveryAppends = new AtomicReference<>(CompletableFuture.completedFuture(null));

    private Replica(ActorContext<Command> ctx, EntityContext<Command> entity, String nodeName) {
        super(ctx);
        this.entity = entity;
        this.nodeName = nodeName;
        String[] parts = entity.getEntityId().split("/");
        this.topic = String.join("/", java.util.Arrays.copyOf(parts, parts.length - 2));
        this.queueId = Integer.parseInt(parts[parts.length - 2]);
        this.copy = Integer.parseInt(parts[parts.length - 1]);
        this.recoveries = NodeRecoveries.get(ctx.getSystem());
        FerryMetrics.COPIES.labels("replica").inc();
        loadTopic();
    }

    private void loadTopic() {
        var broker = ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic);
        getContext().ask(Broker.Reply.class, broker, Duration.ofSeconds(5), Broker.Get::new, TopicLoaded::new);
    }

    @Override public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wake.class, w -> {
                    // A dormant copy whose local writer has gone starts up now, not only on the master's next
                    // shipment: an idle master that believes this copy in sync sends none.
                    if (dormant && handOverTo == null && lease != null && LocalWriters.holder(lease.dir(), persistenceId).isEmpty()) {
                        dormant = false;
                        loadTopic();
                    }
                    return this;
                })
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
                .onMessage(LogCompared.class, this::onLogCompared)
                .onMessage(CheckTimedOut.class, t -> {
                    if (phase == Phase.CHECKING && t.checkId() == checkId && search != null) beginCheck();
                    return this;
                })
                .onMessage(TailCut.class, this::onTailCut)
                .onMessage(RetryRecovery.class, r -> {
                    if (phase == Phase.RECOVERING && r.recoveryId() == recoveryId && !streamActive && !dormant) startRecovery();
                    return this;
                })
                .onMessage(OfferTimedOut.class, this::onOfferTimedOut)
                .onMessage(RecoveryOffer.class, this::onRecoveryOffer)
                .onMessage(RecoveryRefused.class, this::onRecoveryRefused)
                .onMessage(RecoveryEnded.class, this::onRecoveryEnded)
                .onMessage(RecoveryDrained.class, this::onRecoveryDrained)
                .onMessage(Read.class, this::onRead)
                .onMessage(ReadExpired.class, e -> {
                    Read r = parked.remove(e.id());
                    if (r != null) serve(r);
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    if (recoveryKill != null) recoveryKill.abort(new IllegalStateException("replica stopped"));
                    // Its drain will not be heard any more: the history says here that it did not finish (topic deleted,
                    // slot given up, node leaving), as the master's side records it.
                    if (streamActive) recoveries.record(new NodeRecoveries.Record(persistenceId, copy, "incoming", recoveryFrom, highest,
                            recoveryBytes.get(), recoveryStarted, System.currentTimeMillis(), "interrupted: the replica stopped"));
                    recoveries.ended(activeRecovery);
                    parked.values().forEach(r -> r.replyTo().tell(new QueueEntity.ReadRejected(503, "replica_unavailable",
                            "replica " + copy + " of " + topic + "/" + queueId + " stopped (it moved or is moving); retry")));
                    releaseIncomingSlot();
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
        if (!(l.reply() instanceof Broker.TopicReply t) || t.state().deleted() || queueId >= t.state().queues().size()
                || copy > t.state().settings().replicas()) {
            // A slot the topic does not have (any more): nothing to hold, nothing to follow.
            entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
            return this;
        }
        if (ready || dormant) return this;
        TopicState state = t.state();
        persistenceId = state.persistenceId(queueId);
        pluginId = state.settings().flush().journalPluginId();
        flush = state.settings().flush();
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
        highest = durable = store.highestSequence(persistenceId);
        term = route.term();
        master = null; // whatever this copy holds is compared with the master before anything is appended
        phase = Phase.FOLLOWING;
        ready = true;
        ClusterSharding.get(getContext().getSystem()).entityRefFor(Broker.TYPE_KEY, topic)
                .tell(new Broker.CopyStarted(queueId, copy, nodeName));
        // The master's idea of this copy is stale (new node, restart): it resets it and probes at once, so a copy that
        // moved while nothing was being written still compares its log and recovers.
        ClusterSharding.get(getContext().getSystem()).entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, queueId))
                .tell(new QueueEntity.ReplicaStarted(copy, nodeName, highest, getContext().getSelf()));
        return this;
    }

    // ---------------------------------------------------------------- shipments

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
        flush = s.syncFlush() ? TopicSettings.Flush.SYNC : TopicSettings.Flush.ASYNC;
        if (s.term() > term || master == null || !master.equals(s.master())) {
            // A master this copy has not compared its log with: find the common point first.
            term = s.term();
            master = s.master();
            masterCommitted = s.committedSeq();
            if (phase == Phase.RECOVERING) abortRecovery("a new master (term " + term + ")");
            beginCheck();
            return this;
        }
        masterCommitted = Math.max(masterCommitted, s.committedSeq());
        releaseParked();
        if (phase != Phase.FOLLOWING) return this; // comparing or recovering: the stream or the next probe carries it
        if (s.prevSeq() > highest) {
            if (s.prevSeq() - highest > recoveries.settings().minLagRecords()) startRecovery();
            else s.master().tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, true, nodeName));
            return this;
        }
        List<AppendRecord> group = new ArrayList<>(s.records().size());
        for (ShippedRecord r : s.records())
            if (r.sequenceNr() > highest) group.add(new AppendRecord(persistenceId, r.sequenceNr(), r.tagHash(), r.payload()));
        if (group.isEmpty()) {
            s.master().tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, false, nodeName));
            return this;
        }
        long last = group.get(group.size() - 1).sequenceNr();
        var written = store.append(group, s.syncFlush() ? FlushMode.SYNC : FlushMode.ASYNC);
        highest = last;
        writesInFlight++;
        // An async-flush append is done on return: acknowledge now rather than after a trip through the mailbox.
        if (written.isDone() && !written.isCompletedExceptionally()) return onWritten(new Written(last, null));
        getContext().pipeToSelf(written, (ok, failure) -> new Written(last, failure));
        return this;
    }

    private Behavior<Command> onWritten(Written w) {
        writesInFlight--;
        if (w.failure() != null) {
            // Never swallow an IO failure: the copy is not durable; stopping takes it out of the in-sync set.
            getContext().getLog().error("replica {}: writing {} failed", entity.getEntityId(), persistenceId, w.failure());
            throw new IllegalStateException("replica write failed", w.failure());
        }
        durable = Math.max(durable, w.seq());
        releaseParked();
        if (master != null && phase == Phase.FOLLOWING) master.tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, false, nodeName));
        if (writesInFlight == 0) {
            if (handOverTo != null) return finishHandOver();
            if (checkPending) beginCheck();
        }
        return this;
    }

    // ---------------------------------------------------------------- comparing logs

    /** Starts (or restarts) the comparison of this copy's log with {@link #master}'s, once no write is in flight. */
    private void beginCheck() {
        phase = Phase.CHECKING;
        if (writesInFlight > 0 || streamActive) {
            checkPending = true;
            return;
        }
        checkPending = false;
        checkId++;
        search = new DivergenceSearch(store.lowestSequence(persistenceId), highest, PROBES_PER_ROUND);
        sendProbes();
    }

    /** One round: the fingerprints of a few of our entries (none once the search is done: the master still says its end). */
    private void sendProbes() {
        List<Long> seqs = new ArrayList<>();
        List<Long> prints = new ArrayList<>();
        if (!search.done()) {
            for (long seq : search.nextProbes()) {
                seqs.add(seq);
                prints.add(fingerprint(seq));
            }
        }
        master.tell(new QueueEntity.CompareLog(copy, term, checkId, seqs, prints, getContext().getSelf()));
        getContext().scheduleOnce(ANSWER_TIMEOUT, getContext().getSelf(), new CheckTimedOut(checkId));
    }

    private long fingerprint(long seq) {
        try {
            ReadResult r = store.read(persistenceId, seq, seq, 1, dev.ferry.store.TagFilter.ALL);
            if (r instanceof ReadResult.Records recs && !recs.records().isEmpty() && recs.records().get(0).sequenceNr() == seq)
                return LogFingerprint.of(recs.records().get(0).payload());
            return 0; // gone (retention): compares as different, so it is never taken as shared by mistake
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading " + persistenceId + " seq " + seq + " to compare it with the master failed", e);
        }
    }

    private Behavior<Command> onLogCompared(LogCompared c) {
        if (phase != Phase.CHECKING || c.checkId() != checkId || c.term() != term || search == null) return this;
        if (!search.done()) {
            boolean[] m = new boolean[c.matches().size()];
            for (int i = 0; i < m.length; i++) m[i] = c.matches().get(i);
            search.answer(m);
            if (!search.done()) {
                sendProbes();
                return this;
            }
        }
        masterHighestSeen = c.masterHighestSeq();
        long common = search.commonSeq();
        search = null;
        if (common < highest) {
            getContext().getLog().info("replica {}: log of {} diverges from term {}'s master after seq {}; cutting {} entries after it",
                    entity.getEntityId(), persistenceId, term, common, highest - common);
            recoveries.truncated(new NodeRecoveries.Truncation(persistenceId, copy, highest, common, System.currentTimeMillis()));
            TruncateAfter.send(getContext(), pluginId, persistenceId, common, TailCut::new);
            return this;
        }
        return afterCheck();
    }

    private Behavior<Command> onTailCut(TailCut t) {
        if (t.reply() instanceof TruncateAfter.Failed f)
            throw new IllegalStateException("cutting " + persistenceId + " after seq " + f.lastKeptSeq() + " failed: " + f.error());
        highest = durable = store.highestSequence(persistenceId);
        return afterCheck();
    }

    /** Logs agree up to our end: follow by shipments if near the master, else copy by peer recovery. */
    private Behavior<Command> afterCheck() {
        if (dormant) return this;
        if (masterHighestSeen - highest > recoveries.settings().minLagRecords()) {
            startRecovery();
            return this;
        }
        phase = Phase.FOLLOWING;
        master.tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, true, nodeName));
        return this;
    }

    // ---------------------------------------------------------------- peer recovery

    private void startRecovery() {
        phase = Phase.RECOVERING;
        recoveryId++;
        if (!holdsIncomingSlot) {
            if (!recoveries.incoming().tryAcquire()) {
                getContext().getLog().debug("replica {}: node's incoming recovery limit reached; waiting", entity.getEntityId());
                getContext().scheduleOnce(recoveries.settings().retryDelay(), getContext().getSelf(), new RetryRecovery(recoveryId));
                return;
            }
            holdsIncomingSlot = true;
        }
        recoveryFrom = highest + 1;
        master.tell(new QueueEntity.StartRecovery(copy, term, recoveryId, recoveryFrom, getContext().getSelf()));
        getContext().scheduleOnce(ANSWER_TIMEOUT, getContext().getSelf(), new OfferTimedOut(recoveryId));
    }

    private Behavior<Command> onOfferTimedOut(OfferTimedOut t) {
        if (phase == Phase.RECOVERING && t.recoveryId() == recoveryId && !streamActive) {
            // The master did not answer (gone?): free the slot for other copies; a live master's next probe asks again.
            releaseIncomingSlot();
            recoveryId++;
            phase = Phase.FOLLOWING;
        }
        return this;
    }

    private Behavior<Command> onRecoveryRefused(RecoveryRefused r) {
        if (phase != Phase.RECOVERING || r.recoveryId() != recoveryId || streamActive) return this;
        getContext().getLog().debug("replica {}: master refused a recovery ({}); retrying", entity.getEntityId(), r.reason());
        releaseIncomingSlot();
        recoveryId++;
        getContext().scheduleOnce(recoveries.settings().retryDelay(), getContext().getSelf(), new RetryRecovery(recoveryId));
        return this;
    }

    private Behavior<Command> onRecoveryOffer(RecoveryOffer o) {
        if (phase != Phase.RECOVERING || o.recoveryId() != recoveryId || streamActive || o.term() != term) return this; // its stream times out unsubscribed
        streamActive = true;
        recoveryStarted = System.currentTimeMillis();
        recoveryBytes.set(0);
        recoveryAppends.set(CompletableFuture.completedFuture(null));
        activeRecovery = recoveries.started(persistenceId, copy, "incoming", o.fromSeq(), recoveryBytes, false);
        getContext().getLog().info("replica {}: recovering {} from seq {} (master at {})", entity.getEntityId(), persistenceId, o.fromSeq(), masterHighestSeen);
        FlushMode mode = flush == TopicSettings.Flush.SYNC ? FlushMode.SYNC : FlushMode.ASYNC;
        RecoveryStreams.Copying run = RecoveryStreams.writeInto(o.source(), store, persistenceId, highest, mode, recoveries.bucket(),
                getContext().getSystem(), recoveryBytes, recoveryAppends);
        recoveryKill = run.kill();
        long id = recoveryId;
        getContext().pipeToSelf(run.done(), (done, failure) -> new RecoveryEnded(id, failure));
        return this;
    }

    /** The stream ended (completed, failed, aborted): wait for its last appends before anything else writes. */
    private Behavior<Command> onRecoveryEnded(RecoveryEnded e) {
        recoveryKill = null;
        long id = e.recoveryId();
        getContext().pipeToSelf(recoveryAppends.get(), (ok, writeFailure) -> new RecoveryDrained(id, e.failure(), writeFailure));
        return this;
    }

    private Behavior<Command> onRecoveryDrained(RecoveryDrained d) {
        streamActive = false;
        releaseIncomingSlot();
        recoveries.ended(activeRecovery);
        long before = highest;
        highest = durable = store.highestSequence(persistenceId);
        releaseParked();
        String outcome = d.writeFailure() != null ? "write failed: " + d.writeFailure()
                : d.streamFailure() != null ? "interrupted: " + d.streamFailure().getMessage() : "completed";
        recoveries.record(new NodeRecoveries.Record(persistenceId, copy, "incoming", recoveryFrom, highest, recoveryBytes.get(),
                recoveryStarted, System.currentTimeMillis(), outcome));
        getContext().getLog().info("replica {}: recovery of {} from seq {} {} at seq {} ({} bytes)", entity.getEntityId(), persistenceId,
                recoveryFrom, outcome, highest, recoveryBytes.get());
        if (d.writeFailure() != null)
            throw new IllegalStateException("replica write failed during recovery", d.writeFailure()); // never swallowed
        if (handOverTo != null) return writesInFlight == 0 ? finishHandOver() : this;
        if (checkPending) {
            beginCheck();
            return this;
        }
        if (phase == Phase.RECOVERING && d.recoveryId() == recoveryId) {
            // Caught up with the master's end as the stream read it (or interrupted): the master ships the rest, or the
            // next probe finds us too far behind and a recovery resumes from what we hold now.
            phase = Phase.FOLLOWING;
            if (master != null) master.tell(new QueueEntity.ReplicaAck(copy, term, durable, highest, true, nodeName));
        }
        if (highest == before && d.streamFailure() != null && phase == Phase.FOLLOWING) {
            getContext().getLog().warn("replica {}: recovery made no progress ({})", entity.getEntityId(), outcome);
        }
        return this;
    }

    private void abortRecovery(String why) {
        if (recoveryKill != null) recoveryKill.abort(new IllegalStateException("recovery aborted: " + why));
        else if (!streamActive) releaseIncomingSlot();
        recoveryId++;
    }

    private void releaseIncomingSlot() {
        if (holdsIncomingSlot) {
            holdsIncomingSlot = false;
            recoveries.incoming().release();
        }
    }

    // ---------------------------------------------------------------- reads

    private Behavior<Command> onRead(Read r) {
        if (r.waitMs() > 0 && ready && !dormant && persistenceId != null && r.offset() >= readable(r) && r.offset() <= knownEnd(r)) {
            // Long polling: answered when more is readable here (releaseParked) or when the wait is over.
            long id = ++lastParkedId;
            parked.put(id, r);
            getContext().scheduleOnce(Duration.ofMillis(r.waitMs()), getContext().getSelf(), new ReadExpired(id));
            return this;
        }
        return serve(r);
    }

    /**
     * The end of everything this copy knows the queue holds (its own log, what the master said it committed): an
     * offset beyond it is not waited at but sent back to the readable end. A lagging replica may so send a reader back
     * over messages it read from the master — delivered twice, never skipped.
     */
    private long knownEnd(Read r) {
        return Math.max(highest, Math.max(masterCommitted, r.committedSeq()));
    }

    /** What a read may see: never past what the master committed nor past what this copy holds durably. */
    private long readable(Read r) {
        return Math.min(durable, Math.max(masterCommitted, r.committedSeq()));
    }

    /** Answers the parked reads that have something to read now (after a durable write or a newer committed offset). */
    private void releaseParked() {
        if (parked.isEmpty()) return;
        var it = parked.values().iterator();
        while (it.hasNext()) {
            Read r = it.next();
            if (r.offset() < readable(r)) {
                it.remove();
                serve(r);
            }
        }
    }

    private Behavior<Command> serve(Read r) {
        if (!ready || dormant || persistenceId == null) {
            r.replyTo().tell(new QueueEntity.ReadRejected(503, "replica_unavailable",
                    "replica " + copy + " of " + topic + "/" + queueId + " is not serving yet; read from the master or retry"));
            return this;
        }
        long readable = readable(r);
        if (reader == null) reader = new QueueStore(getContext().getSystem(), pluginId);
        QueueStore rd = reader;
        String pid = persistenceId;
        long min = rd.minOffset(pid, readable);
        var at = dev.ferry.queue.ReadPosition.of(r.offset(), min, readable, knownEnd(r));
        long offset = at.start();
        boolean atEnd = at.atEnd(readable);
        var budget = new dev.ferry.queue.ReadBudget(r.max(), r.maxBytes());
        var blocking = getContext().getSystem().dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking());
        CompletableFuture.supplyAsync(() -> atEnd ? new QueueStore.Result(List.of(), offset)
                        : rd.read(pid, offset, readable, budget, r.filter().matchesAll() ? r.max() : 10_000, r.filter()), blocking)
                .whenComplete((res, failure) -> {
                    if (failure != null) {
                        r.replyTo().tell(new QueueEntity.ReadRejected(503, "read_failed", "reading replica " + copy + " of "
                                + topic + "/" + queueId + " failed: " + failure.getMessage()));
                        return;
                    }
                    List<QueueMessage> found = res.messages();
                    // scannedTo: where the next read continues (past filtered-out messages too)
                    long next = atEnd ? offset : Math.min(res.scannedTo(), readable);
                    r.replyTo().tell(new QueueEntity.Messages(queueId, min, readable, next, found, copy, at.status()));
                });
        return this;
    }

    // ---------------------------------------------------------------- hand-over

    private Behavior<Command> onHandOver(HandOver h) {
        dormant = true;
        handOverTo = h.replyTo();
        if (streamActive) abortRecovery("hand-over to the local master");
        if (writesInFlight == 0 && !streamActive) return finishHandOver();
        return this;
    }

    private Behavior<Command> finishHandOver() {
        getContext().getLog().info("replica {}: handing {} over to the local master at seq {}", entity.getEntityId(), persistenceId, highest);
        releaseWriter();
        handOverTo.tell(new HandedOver(highest, Math.min(masterCommitted, durable)));
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
