package dev.ferry.replica;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.AskPattern;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.SettingsPatch;
import dev.ferry.broker.TopicSettings;
import dev.ferry.http.Http;
import dev.ferry.journal.FerryJournalSettings;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;
import dev.ferry.queue.TagFilter;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peer recovery, the high-water mark and replica reads between three Ferry nodes (three ActorSystems in one JVM,
 * free loopback ports, {@link InJvmCluster}), on real stores. Every test uses its own topic; the nodes are
 * shared. Recovery settings for the whole class: unthrottled unless a test sets a node's rate, at most one incoming
 * and one outgoing recovery per node, recovery for replicas more than 100 records behind, 64 KiB chunks; slave
 * reads on with a 64 KiB master read cache.
 */
class PeerRecoveryTest {

    static final List<FerryNode> nodes = new ArrayList<>();
    static final Duration ASK = Duration.ofSeconds(10);
    static final int BODY = 1024;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = InJvmCluster.start("p", 3, false, i -> String.join("\n",
                "ferry.replication.in-sync-timeout = 5s",
                "ferry.replication.probe-interval = 200ms",
                "ferry.replication.slave-read-enable = on",
                "ferry.replication.recovery.max-bytes-per-sec = -1",
                "ferry.replication.recovery.chunk-size = 64k",
                "ferry.replication.recovery.min-lag-records = 100",
                "ferry.replication.recovery.retry-delay = 200ms",
                "ferry.allocation.node-concurrent-incoming-recoveries = 1",
                "ferry.allocation.node-concurrent-outgoing-recoveries = 1",
                "ferry.queue.read-cache-bytes = 64k",
                "ferry.journal.segment-size = 64m"));
        nodes.clear();
        nodes.addAll(cluster.live());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
        cluster = null;
    }

    @AfterEach
    void unthrottle() {
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(-1, 64 << 10);
    }

    // ---------------------------------------------------------------- helpers

    static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        InJvmCluster.eventually(60_000, condition);
    }

    static void eventually(long ms, Supplier<Boolean> condition) throws InterruptedException {
        InJvmCluster.eventually(ms, condition);
    }

    static NodeRecoveries recoveries(FerryNode n) {
        return NodeRecoveries.get(n.system());
    }

    static void createTopic(String topic, int replicas, TopicSettings.Replication replication) throws Exception {
        FerryNode n = nodes.get(0);
        TopicSettings settings = new TopicSettings(1, replicas, replication, TopicSettings.Flush.ASYNC, 4 << 20, Map.of());
        assertInstanceOf(Broker.TopicReply.class, AskPattern.<Broker.Command, Broker.Reply>ask(
                n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic), r -> new Broker.Create(settings, r), ASK,
                n.system().scheduler()).toCompletableFuture().get());
    }

    static void setReplicas(String topic, int replicas) throws Exception {
        FerryNode n = nodes.get(0);
        assertInstanceOf(Broker.TopicReply.class, AskPattern.<Broker.Command, Broker.Reply>ask(
                n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Patch(new SettingsPatch(null, replicas, null, null, null, null), r), ASK, n.system().scheduler())
                .toCompletableFuture().get());
    }

    static QueueRoute route(String topic) {
        return nodes.get(0).services().routes().get(topic).orElseThrow().queues().get(0);
    }

    static void awaitInSync(String topic, int replicas) throws InterruptedException {
        eventually(() -> route(topic).inSync().size() == replicas + 1);
    }

    static FerryNode byName(String name) {
        for (FerryNode n : nodes) if (n.settings().node().name().equals(name)) return n;
        throw new IllegalStateException("no node " + name);
    }

    /** The master's node as the route table says, once it has learnt it (Distributed Data follows the Broker). */
    static FerryNode masterNode(String topic) throws InterruptedException {
        eventually(10_000, () -> !route(topic).masterNode().isEmpty());
        return byName(route(topic).masterNode());
    }

    static FerryNode replicaNode(String topic, int copy) {
        return byName(route(topic).nodes().get(copy));
    }

    static StoredMessage message(String id) {
        byte[] body = new byte[BODY];
        byte[] idBytes = id.getBytes();
        System.arraycopy(idBytes, 0, body, 0, idBytes.length);
        return new StoredMessage(id, body, List.of(), List.of(), Map.of(), System.currentTimeMillis());
    }

    static QueueEntity.AppendReply send(String topic, List<StoredMessage> batch, Duration timeout) throws Exception {
        FerryNode via = nodes.get(0);
        return AskPattern.<QueueEntity.Command, QueueEntity.AppendReply>ask(
                via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                r -> new QueueEntity.Append(batch, r), timeout, via.system().scheduler()).toCompletableFuture().get();
    }

    /** Sends {@code count} messages named prefix-i in batches of 100, each acknowledged. */
    static void sendMany(String topic, String prefix, int count) throws Exception {
        for (int i = 0; i < count; i += 100) {
            List<StoredMessage> batch = new ArrayList<>();
            for (int j = i; j < Math.min(count, i + 100); j++) batch.add(message(prefix + "-" + j));
            assertInstanceOf(QueueEntity.Appended.class, send(topic, batch, Duration.ofSeconds(30)));
        }
    }

    static QueueEntity.Messages read(String topic, long offset, int max) {
        FerryNode via = nodes.get(0);
        QueueEntity.ReadReply reply = AskPattern.<QueueEntity.Command, QueueEntity.ReadReply>ask(
                via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                r -> new QueueEntity.Read(offset, max, Long.MAX_VALUE, TagFilter.ALL, 0, r), ASK, via.system().scheduler()).toCompletableFuture().join();
        return assertInstanceOf(QueueEntity.Messages.class, reply);
    }

    static QueueEntity.Messages readReplica(String topic, int copy, long offset, int max) {
        return readReplica(topic, copy, offset, max, 0).toCompletableFuture().join();
    }

    static java.util.concurrent.CompletionStage<QueueEntity.Messages> readReplica(String topic, int copy, long offset, int max, long waitMs) {
        FerryNode via = nodes.get(0);
        return AskPattern.<Replica.Command, QueueEntity.ReadReply>ask(
                via.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, copy)),
                r -> new Replica.Read(offset, max, Long.MAX_VALUE, TagFilter.ALL, 0, waitMs, r), ASK.plusMillis(waitMs), via.system().scheduler())
                .thenApply(reply -> assertInstanceOf(QueueEntity.Messages.class, reply));
    }

    static MessageStore store(FerryNode n) {
        return FerryJournalStores.forDirectory(storeDir(n)).orElseThrow();
    }

    static Path storeDir(FerryNode n) {
        return FerryJournalSettings.fromConfig(n.system().settings().config().getConfig("ferry.journal")).dir();
    }

    static List<StoredRecord> records(FerryNode n, String pid) throws Exception {
        return ((ReadResult.Records) store(n).read(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, dev.ferry.store.TagFilter.ALL)).records();
    }

    static void assertSameLog(FerryNode a, FerryNode b, String pid) throws Exception {
        List<StoredRecord> x = records(a, pid);
        List<StoredRecord> y = records(b, pid);
        assertEquals(x.size(), y.size(), "record count");
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.get(i).sequenceNr(), y.get(i).sequenceNr());
            assertArrayEquals(x.get(i).payload(), y.get(i).payload(), "record " + x.get(i).sequenceNr() + " differs");
        }
    }

    /** What the nodes say about a recovery that did not finish in time. */
    static String diagnostics(String topic, FerryNode replica) {
        StringBuilder b = new StringBuilder("route " + route(topic) + ", replica at "
                + FerryJournalStores.forDirectory(storeDir(replica)).map(st -> st.highestSequence(topic + "/0")).orElse(-1L));
        for (FerryNode n : nodes)
            b.append("; ").append(n.settings().node().name()).append(": in ").append(recoveries(n).incoming().inUse())
                    .append(" out ").append(recoveries(n).outgoing().inUse()).append(" records ")
                    .append(recoveries(n).records().stream().filter(r -> r.persistenceId().equals(topic + "/0")).toList());
        return b.toString();
    }

    static List<NodeRecoveries.Record> incoming(FerryNode n, String pid) {
        return recoveries(n).records().stream().filter(r -> r.persistenceId().equals(pid) && r.direction().equals("incoming")).toList();
    }

    /**
     * Silences replica {@code copy} the way a local master does: it hands its writer lease over (stops after its last
     * write) and a stand-in holds the lease, so the replica stays dormant. Returns the stand-in; release it to wake it.
     */
    static Object silence(String topic, int copy) throws Exception {
        Object standIn = new Object();
        for (int i = 0; i < 40; i++) {
            // The copy must run on the node the route names (the balancer may be moving it): its lease is held there.
            FerryNode n = replicaNode(topic, copy);
            if (LocalWriters.holder(storeDir(n), topic + "/0").isEmpty()) {
                Thread.sleep(250);
                continue;
            }
            TestProbe<Replica.HandedOver> handedOver = TestProbe.create(n.system());
            n.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, copy)).tell(new Replica.HandOver(handedOver.getRef()));
            handedOver.expectMessageClass(Replica.HandedOver.class, Duration.ofSeconds(10));
            if (LocalWriters.tryAcquire(storeDir(n), topic + "/0", standIn, true).isEmpty()) return standIn;
        }
        throw new AssertionError("could not take replica " + copy + "'s writer lease");
    }

    static void wake(String topic, int copy, Object standIn) {
        LocalWriters.release(storeDir(replicaNode(topic, copy)), topic + "/0", standIn);
    }

    // ---------------------------------------------------------------- recovery

    @Test
    void aNewReplicaCopiesTheLogByPeerRecoveryAndJoinsTheInSyncSet() throws Exception {
        String topic = "fresh-replica";
        createTopic(topic, 0, TopicSettings.Replication.SYNC);
        sendMany(topic, "f", 1500);
        setReplicas(topic, 1);
        awaitInSync(topic, 1);
        FerryNode replica = replicaNode(topic, 1);
        assertSameLog(masterNode(topic), replica, topic + "/0");
        List<NodeRecoveries.Record> in = incoming(replica, topic + "/0");
        assertFalse(in.isEmpty(), "no peer recovery recorded on the replica's node");
        assertEquals(1, in.get(0).fromSeq(), "a new replica copies from the start");
        assertEquals(1500, in.get(in.size() - 1).toSeq());
    }

    @Test
    void aReplicaCatchesUpByShipmentsOnLargeMessagesThatTogetherExceedAnArteryFrame() throws Exception {
        // 80 messages of 256 KiB (20 MiB), fewer than min-lag-records (100): the new replica catches up by shipments,
        // which must each fit in one 16 MiB Artery frame (a shipment of all 80 was dropped as oversized, for ever).
        String topic = "large-shipments";
        createTopic(topic, 0, TopicSettings.Replication.ASYNC);
        for (int i = 0; i < 80; i += 8) {
            List<StoredMessage> batch = new ArrayList<>();
            for (int j = i; j < i + 8; j++) {
                byte[] body = new byte[256 << 10];
                java.util.Arrays.fill(body, (byte) j);
                batch.add(new StoredMessage("big-" + j, body, List.of(), List.of(), Map.of(), System.currentTimeMillis()));
            }
            assertInstanceOf(QueueEntity.Appended.class, send(topic, batch, Duration.ofSeconds(30)));
        }
        setReplicas(topic, 1);
        awaitInSync(topic, 1);
        assertSameLog(masterNode(topic), replicaNode(topic, 1), topic + "/0");
        assertTrue(incoming(replicaNode(topic, 1), topic + "/0").isEmpty(), "it caught up by shipments, not by peer recovery");
    }

    @Test
    void eachNodeReportsItsRecoveriesOverHttp() throws Exception {
        String topic = "reported";
        createTopic(topic, 0, TopicSettings.Replication.ASYNC);
        sendMany(topic, "o", 300);
        setReplicas(topic, 1);
        awaitInSync(topic, 1);
        var json = new Http(replicaNode(topic, 1).httpPort()).get("/cluster/recoveries").json();
        assertEquals(replicaNode(topic, 1).settings().node().name(), json.get("node").asText());
        assertEquals(1, json.get("incoming").get("limit").asInt());
        assertTrue(json.get("active").isArray(), "no list of recoveries under way: " + json);
        boolean found = false;
        for (var r : json.get("recoveries"))
            if (r.get("persistenceId").asText().equals(topic + "/0") && r.get("direction").asText().equals("incoming")) {
                found = true;
                assertEquals(1, r.get("fromSeq").asLong());
                assertEquals(300, r.get("toSeq").asLong());
                assertEquals("completed", r.get("outcome").asText());
            }
        assertTrue(found, "no incoming recovery of " + topic + " in " + json);
        Http masterHttp = new Http(masterNode(topic).httpPort());
        eventually(10_000, () -> {
            boolean served = false;
            for (var r : masterHttp.get("/cluster/recoveries").json().get("recoveries"))
                served |= r.get("persistenceId").asText().equals(topic + "/0") && r.get("direction").asText().equals("outgoing");
            return served;
        });
    }

    @Test
    void aReplicaThatWasDownCatchesUpByRecoveryFromItsOwnEndAndRejoinsTheInSyncSet() throws Exception {
        String topic = "was-down";
        createTopic(topic, 1, TopicSettings.Replication.ASYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "d", 200);
        eventually(() -> store(replicaNode(topic, 1)).highestSequence(topic + "/0") == 200);
        Object standIn = silence(topic, 1);
        sendMany(topic, "d2", 1000);
        eventually(() -> !route(topic).inSync().contains(1));
        wake(topic, 1, standIn);
        awaitInSync(topic, 1);
        FerryNode replica = replicaNode(topic, 1);
        assertSameLog(masterNode(topic), replica, topic + "/0");
        List<NodeRecoveries.Record> in = incoming(replica, topic + "/0");
        assertEquals(1, in.size(), "recoveries: " + in);
        assertEquals(201, in.get(0).fromSeq(), "the recovery did not start after what the replica already had");
        assertEquals("completed", in.get(0).outcome());
    }

    @Test
    void aReplicaThatRestartsWithoutItsLogRecoversItThoughNothingNewIsWritten() throws Exception {
        // What a relocated replica is: a copy starting on a node without the data while the master has nothing new to ship.
        String topic = "restarted-empty";
        createTopic(topic, 1, TopicSettings.Replication.ASYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "e", 300);
        FerryNode replica = replicaNode(topic, 1);
        eventually(() -> store(replica).highestSequence(topic + "/0") == 300);
        eventually(() -> route(topic).inSync().contains(1));
        Object standIn = silence(topic, 1);
        // The copy's data is gone (the replica closed the node's store when it stopped: open it to cut the log).
        try (var lease = FerryJournalStores.acquire(replica.system().settings().config().getConfig("ferry.journal"))) {
            lease.store().truncateAfter(topic + "/0", 0);
        }
        LocalWriters.release(storeDir(replica), topic + "/0", standIn);
        replica.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, 1)).tell(new Replica.Wake());
        try {
            eventually(() -> store(replica).highestSequence(topic + "/0") == 300 && route(topic).inSync().contains(1));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + diagnostics(topic, replica), e);
        }
        assertSameLog(masterNode(topic), replica, topic + "/0");
        List<NodeRecoveries.Record> in = incoming(replica, topic + "/0");
        assertEquals(1, in.size(), "recoveries: " + in);
        assertEquals(1, in.get(0).fromSeq());
    }

    @Test
    void aRelocatingReplicaServesInSyncUntilItsTargetHasCopiedTheLog() throws Exception {
        // ES keeps a relocating shard's source started until the target has recovered: here the replica moves only
        // once its target node holds the log, and sync sends sent meanwhile are acknowledged by the source copy.
        String topic = "relocated";
        String pid = topic + "/0";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "r", 2000);
        awaitInSync(topic, 1);
        String source = route(topic).nodes().get(1);
        FerryNode sourceNode = byName(source);
        FerryNode target = nodes.stream().filter(n -> !n.settings().node().name().equals(source)
                && !n.settings().node().name().equals(route(topic).masterNode())).findFirst().orElseThrow();
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(512 << 10, 64 << 10); // ~4 s for the ~2 MiB log
        FerryNode n0 = nodes.get(0);
        assertInstanceOf(Broker.TopicReply.class, AskPattern.<Broker.Command, Broker.Reply>ask(
                n0.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Patch(new SettingsPatch(null, null, null, null, null, Map.of("topic.allocation.exclude._name", source)), r),
                ASK, n0.system().scheduler()).toCompletableFuture().get());

        // Wait until the target copies, then send while it does: the copy on the source still acknowledges sync sends.
        eventually(() -> LocalWriters.holder(storeDir(target), pid).isPresent());
        // Both ends list it among their recoveries under way, as a relocation (GET /cluster/recoveries "active").
        eventually(() -> recoveries(target).active().stream().anyMatch(a -> a.persistenceId().equals(pid) && a.relocation()
                && a.direction().equals("incoming")));
        FerryNode master = masterNode(topic);
        assertTrue(recoveries(master).active().stream().anyMatch(a -> a.persistenceId().equals(pid) && a.relocation()
                && a.direction().equals("outgoing")), "the master does not list the copy it serves: " + recoveries(master).active());
        sendMany(topic, "during", 100);
        long sourceStopped = -1;
        boolean alwaysInSync = true;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            boolean serving = LocalWriters.holder(storeDir(sourceNode), pid).isPresent();
            if (!serving) {
                sourceStopped = System.currentTimeMillis();
                break;
            }
            alwaysInSync &= route(topic).inSync().contains(1);
            Thread.sleep(10);
        }
        assertTrue(sourceStopped > 0, "the replica never left " + source + "; " + diagnostics(topic, target));
        assertTrue(alwaysInSync, "the replica left the in-sync set before it moved");
        List<NodeRecoveries.Record> copied = incoming(target, pid);
        assertFalse(copied.isEmpty(), "the target had not copied the log when the replica left its source");
        assertEquals("completed", copied.get(0).outcome());
        assertEquals(1, copied.get(0).fromSeq());
        assertTrue(copied.get(0).endedMillis() <= sourceStopped, "the source stopped before the target's copy was done: " + copied);

        for (FerryNode n : nodes) recoveries(n).bucket().setRate(-1, 64 << 10);
        eventually(() -> route(topic).nodes().get(1).equals(target.settings().node().name()) && route(topic).inSync().contains(1));
        assertSameLog(masterNode(topic), target, pid);
        assertTrue(recoveries(target).active().stream().noneMatch(a -> a.persistenceId().equals(pid)), "a finished copy is still listed as under way");
        for (NodeRecoveries.Record r : incoming(target, pid).subList(1, incoming(target, pid).size()))
            assertTrue(r.fromSeq() > 1, "the moved replica copied the log from the start again: " + r);
    }

    @Test
    void anInterruptedRecoveryResumesFromTheReplicasLastPersistedEntry() throws Exception {
        String topic = "interrupted";
        createTopic(topic, 0, TopicSettings.Replication.ASYNC);
        sendMany(topic, "i", 3000);
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(1 << 20, 64 << 10); // ~3 s for the whole log
        setReplicas(topic, 1);
        eventually(() -> !route(topic).nodes().getOrDefault(1, "").isEmpty());
        FerryNode replica = replicaNode(topic, 1);
        eventually(() -> store(replica).highestSequence(topic + "/0") > 500);
        // Interrupt: the replica stops mid-stream (hand-over stops it after its last append is durable).
        TestProbe<Replica.HandedOver> handedOver = TestProbe.create(replica.system());
        replica.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, 1)).tell(new Replica.HandOver(handedOver.getRef()));
        long persisted = handedOver.expectMessageClass(Replica.HandedOver.class, Duration.ofSeconds(10)).highestSeq();
        assertTrue(persisted > 500 && persisted < 3000, "interrupted at " + persisted);
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(-1, 64 << 10);
        awaitInSync(topic, 1);
        assertSameLog(masterNode(topic), replica, topic + "/0");
        List<NodeRecoveries.Record> in = incoming(replica, topic + "/0");
        assertEquals(2, in.size(), "recoveries: " + in);
        assertTrue(in.get(0).outcome().startsWith("interrupted"), in.get(0).toString());
        assertEquals(1, in.get(0).fromSeq());
        assertEquals(persisted + 1, in.get(1).fromSeq(), "the second recovery did not resume from the persisted entry");
        long recopied = in.get(0).bytes() + in.get(1).bytes();
        long logBytes = records(replica, topic + "/0").stream().mapToLong(r -> r.payload().length).sum();
        assertTrue(recopied < logBytes + (256 << 10), "copied " + recopied + " bytes for a " + logBytes + "-byte log");
    }

    @Test
    void aRecoveryCutShortByDeletingTheTopicIsRecordedAsInterruptedOnTheReplicasNode() throws Exception {
        String topic = "deleted-mid-recovery";
        createTopic(topic, 0, TopicSettings.Replication.ASYNC);
        sendMany(topic, "d", 3000);
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(1 << 20, 64 << 10); // ~3 s for the whole log
        setReplicas(topic, 1);
        eventually(() -> !route(topic).nodes().getOrDefault(1, "").isEmpty());
        FerryNode replica = replicaNode(topic, 1);
        eventually(() -> store(replica).highestSequence(topic + "/0") > 300);
        FerryNode n = nodes.get(0);
        assertInstanceOf(Broker.TopicReply.class, AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                Broker.Delete::new, ASK, n.system().scheduler()).toCompletableFuture().get());
        eventually(() -> !incoming(replica, topic + "/0").isEmpty());
        NodeRecoveries.Record r = incoming(replica, topic + "/0").get(0);
        assertTrue(r.outcome().startsWith("interrupted"), r.toString());
        assertTrue(recoveries(replica).active().stream().noneMatch(a -> a.persistenceId().equals(topic + "/0")), "still listed as under way");
    }

    @Test
    void recoveryTrafficNeverExceedsTheNodesByteRateCap() throws Exception {
        String topic = "throttled";
        createTopic(topic, 0, TopicSettings.Replication.ASYNC);
        sendMany(topic, "t", 2500);
        long rate = 1 << 20, burst = 64 << 10;
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(rate, burst);
        long grantedBefore = recoveries(masterNode(topic)).bucket().grantedBytes();
        setReplicas(topic, 1);
        eventually(() -> !route(topic).nodes().getOrDefault(1, "").isEmpty());
        FerryNode replica = replicaNode(topic, 1);
        long recordBytes = records(masterNode(topic), topic + "/0").get(0).payload().length;
        List<long[]> samples = new ArrayList<>(); // {nanos, bytes received}
        long deadline = System.currentTimeMillis() + 60_000;
        while (store(replica).highestSequence(topic + "/0") < 2500 && System.currentTimeMillis() < deadline) {
            samples.add(new long[]{System.nanoTime(), store(replica).highestSequence(topic + "/0") * recordBytes});
            Thread.sleep(20);
        }
        samples.add(new long[]{System.nanoTime(), store(replica).highestSequence(topic + "/0") * recordBytes});
        assertEquals(2500, store(replica).highestSequence(topic + "/0"));
        // Both ends throttle; whatever the machine's load, received bytes stay under two bursts + rate x elapsed
        // (+ one chunk for sampling granularity and one record per chunk of rounding).
        long slack = 2 * burst + (64 << 10) + 64 * recordBytes;
        for (int i = 0; i < samples.size(); i++)
            for (int j = i + 1; j < samples.size(); j++) {
                long bytes = samples.get(j)[1] - samples.get(i)[1];
                double allowed = slack + rate * ((samples.get(j)[0] - samples.get(i)[0]) / 1e9);
                assertTrue(bytes <= allowed, "received " + bytes + " bytes in " + (samples.get(j)[0] - samples.get(i)[0]) / 1_000_000
                        + " ms, the cap allows " + (long) allowed);
            }
        long logBytes = 2500 * recordBytes;
        assertTrue(recoveries(masterNode(topic)).bucket().grantedBytes() - grantedBefore >= logBytes,
                "the master's node did not account the recovery's bytes in its throttle");
    }

    @Test
    void concurrentRecoveriesStayWithinTheNodesIncomingAndOutgoingLimits() throws Exception {
        List<String> topics = List.of("many-a", "many-b", "many-c", "many-d");
        for (String t : topics) {
            createTopic(t, 0, TopicSettings.Replication.ASYNC);
            sendMany(t, "c", 800);
        }
        for (FerryNode n : nodes) recoveries(n).bucket().setRate(4 << 20, 64 << 10); // ~0.2 s per recovery: they overlap
        double throttledBefore = dev.ferry.node.FerryMetrics.ALLOCATIONS_THROTTLED.labels("replica").get();
        long refusedBefore = 0;
        for (FerryNode n : nodes) refusedBefore += recoveries(n).incoming().refused() + recoveries(n).outgoing().refused();
        for (String t : topics) setReplicas(t, 2);
        for (String t : topics) awaitInSync(t, 2);
        long refused = -refusedBefore;
        for (FerryNode n : nodes) {
            assertTrue(recoveries(n).incoming().maxInUse() <= 1, n.settings().node().name() + " received " + recoveries(n).incoming().maxInUse() + " at once");
            assertTrue(recoveries(n).outgoing().maxInUse() <= 1, n.settings().node().name() + " served " + recoveries(n).outgoing().maxInUse() + " at once");
            assertEquals(0, recoveries(n).incoming().inUse());
            assertEquals(0, recoveries(n).outgoing().inUse());
            refused += recoveries(n).incoming().refused() + recoveries(n).outgoing().refused();
        }
        // The allocator counts a running replica outside the in-sync set as recovering (INITIALIZING) and throttles
        // further placements onto its node itself, so the data path's slots may never have to refuse one: either
        // level waiting shows the limit was exercised.
        assertTrue(refused > 0 || dev.ferry.node.FerryMetrics.ALLOCATIONS_THROTTLED.labels("replica").get() > throttledBefore, "eight recoveries into three nodes never had to wait for a slot: the limit was not exercised");
        for (String t : topics) for (int c = 1; c <= 2; c++) assertSameLog(masterNode(t), replicaNode(t, c), t + "/0");
    }

    @Test
    void aDivergentReplicaCutsOnlyItsDivergentTailAndFetchesTheRest() throws Exception {
        String topic = "divergent";
        createTopic(topic, 1, TopicSettings.Replication.ASYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "v", 300);
        FerryNode replica = replicaNode(topic, 1);
        eventually(() -> store(replica).highestSequence(topic + "/0") == 300);
        Object standIn = silence(topic, 1);
        // The replica's log gets 20 entries the master never had (what a deposed master's unacknowledged tail is)...
        List<AppendRecord> forged = new ArrayList<>();
        for (int s = 301; s <= 320; s++) forged.add(new AppendRecord(topic + "/0", s, 0, ("forged-" + s).getBytes()));
        store(replica).append(forged, FlushMode.ASYNC).get();
        // ...while the master writes 50 different ones at the same sequence numbers and after.
        sendMany(topic, "w", 50);
        wake(topic, 1, standIn);
        eventually(() -> route(topic).inSync().contains(1) && store(replica).highestSequence(topic + "/0") == 350);
        assertSameLog(masterNode(topic), replica, topic + "/0");
        var cuts = recoveries(replica).truncations().stream().filter(t -> t.persistenceId().equals(topic + "/0")).toList();
        assertEquals(1, cuts.size(), "cuts: " + cuts);
        assertEquals(320, cuts.get(0).highestSeq());
        assertEquals(300, cuts.get(0).keptSeq(), "the cut was not at the last shared entry");
        assertTrue(incoming(replica, topic + "/0").isEmpty(), "the replica copied its log again instead of fetching the 50 missing entries");
    }

    // ---------------------------------------------------------------- high-water mark

    @Test
    void consumersOfASyncTopicNeverReadPastWhatEveryInSyncCopyHasDurable() throws Exception {
        String topic = "hwm-sync";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "h", 10);
        Object standIn = silence(topic, 1);
        CompletableFuture<QueueEntity.AppendReply> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return send(topic, List.of(message("h-10")), Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        FerryNode master = masterNode(topic);
        eventually(() -> store(master).highestSequence(topic + "/0") == 11);
        QueueEntity.Messages page = read(topic, 0, 100);
        if (pending.isDone()) {
            // Legitimate only once the master dropped the silent replica from the in-sync set (in-sync-timeout, 5 s:
            // a machine stalled that long gets there); anything else acknowledged a send the in-sync replica lacks.
            assertInstanceOf(QueueEntity.Appended.class, pending.get());
            eventually(10_000, () -> !route(topic).inSync().contains(1));
        }
        if (route(topic).inSync().contains(1)) {
            assertEquals(10, page.messages().size(), "a consumer read a message only the master has");
            assertEquals(10, page.maxOffset());
        }
        wake(topic, 1, standIn);
        assertInstanceOf(QueueEntity.Appended.class, pending.get());
        eventually(() -> read(topic, 0, 100).messages().size() == 11);
    }

    @Test
    void consumersOfAnAsyncTopicReadWhatTheMasterHas() throws Exception {
        String topic = "hwm-async";
        createTopic(topic, 1, TopicSettings.Replication.ASYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "a", 10);
        Object standIn = silence(topic, 1);
        try {
            assertInstanceOf(QueueEntity.Appended.class, send(topic, List.of(message("a-10")), ASK));
            QueueEntity.Messages page = read(topic, 0, 100);
            assertEquals(11, page.messages().size());
            assertEquals(11, page.maxOffset());
        } finally {
            wake(topic, 1, standIn);
        }
    }

    // ---------------------------------------------------------------- replica reads

    /** A sync topic with {@code replicas} in-sync replicas, {@code count} messages sent, replica 1 serving all of them. */
    static void replicaServes(String topic, int replicas, String prefix, int count) throws Exception {
        createTopic(topic, replicas, TopicSettings.Replication.SYNC);
        awaitInSync(topic, replicas);
        sendMany(topic, prefix, count);
        eventually(() -> readReplica(topic, 1, 0, 100).messages().size() == count);
    }

    @Test
    void aConsumerCanAskToReadFromAnInSyncReplicaOverHttp() throws Exception {
        String topic = "replica-read";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "r", 20);
        Http http = new Http(nodes.get(0).httpPort());
        eventually(() -> http.get("/topics/" + topic + "/queues/0/messages?offset=0&max=100&readFrom=replica").json().get("messages").size() == 20);
        var json = http.get("/topics/" + topic + "/queues/0/messages?offset=0&max=100&readFrom=replica").json();
        assertEquals("replica", json.get("servedBy").asText());
        assertEquals(1, json.get("copy").asInt());
        assertEquals("r-0", json.get("messages").get(0).get("messageId").asText());
        assertEquals("master", http.get("/topics/" + topic + "/queues/0/messages?offset=0&max=100").json().get("servedBy").asText());
        Http.Reply bad = http.get("/topics/" + topic + "/queues/0/messages?readFrom=slave");
        assertEquals(400, bad.status());
        assertEquals("invalid_parameter", bad.json().get("error").asText());
    }

    @Test
    void aReplicaNeverServesPastTheCommittedOffset() throws Exception {
        String topic = "replica-hwm";
        replicaServes(topic, 2, "q", 10);
        Object standIn = silence(topic, 2);
        CompletableFuture.runAsync(() -> {
            try {
                send(topic, List.of(message("q-10")), Duration.ofSeconds(20));
            } catch (Exception ignored) {
                // acknowledged or not, the test reads what is committed
            }
        });
        FerryNode replica1 = replicaNode(topic, 1);
        eventually(() -> store(replica1).highestSequence(topic + "/0") == 11);
        Thread.sleep(500); // a few probe rounds: the replica hears every committed offset the master has
        QueueEntity.Messages page = readReplica(topic, 1, 0, 100);
        assertEquals(1, page.copy());
        assertEquals(10, page.messages().size(), "replica 1 served a message replica 2 does not have yet");
        wake(topic, 2, standIn);
        eventually(() -> readReplica(topic, 1, 0, 100).messages().size() == 11);
    }

    @Test
    void aLongPollingReplicaReadIsAnsweredOnceAMessageIsCommitted() throws Exception {
        String topic = "replica-poll";
        replicaServes(topic, 1, "w", 5);
        var waiting = readReplica(topic, 1, 5, 100, 20_000).toCompletableFuture();
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "a read at the end answered at once instead of waiting: " + (waiting.isDone() ? waiting.join() : ""));
        sendMany(topic, "w-late", 1);
        QueueEntity.Messages page = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, page.copy());
        assertEquals(1, page.messages().size(), "the long poll did not return the new message: " + page);
        assertEquals("w-late-0", page.messages().get(0).message().id());
    }

    @Test
    void aLongPollingReplicaReadWithNothingNewAnswersEmptyWhenItsWaitIsOver() throws Exception {
        String topic = "replica-poll-idle";
        replicaServes(topic, 1, "i", 3);
        QueueEntity.Messages page = readReplica(topic, 1, 3, 100, 500).toCompletableFuture().get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(page.messages().isEmpty(), "nothing was sent, yet the poll returned " + page);
        assertEquals(3, page.nextOffset());
    }

    @Test
    void withSlaveReadOnAReadOlderThanTheMastersCacheIsServedByAnInSyncReplica() throws Exception {
        String topic = "slave-read";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        sendMany(topic, "s", 400); // 400 KiB: far more than the master's 64 KiB read cache
        eventually(() -> read(topic, 0, 10).copy() == 1);
        QueueEntity.Messages cold = read(topic, 0, 10);
        assertEquals(10, cold.messages().size());
        assertEquals("s-0", cold.messages().get(0).message().id());
        assertEquals(10, cold.nextOffset());
        QueueEntity.Messages hot = read(topic, 399, 10);
        assertEquals(0, hot.copy(), "the newest messages are served by the master from memory");
        assertEquals("s-399", hot.messages().get(0).message().id());
    }
}
