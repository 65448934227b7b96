package dev.ferry.replica;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.AskPattern;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicSettings;
import dev.ferry.journal.FerryJournalSettings;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication between three Ferry nodes (three ActorSystems in one JVM on free loopback ports, {@link InJvmCluster}): shipping,
 * sync acknowledgement, the in-sync set, term fencing and promotion after the master's node is lost. The last test
 * terminates a node without leaving the cluster (crash-like), so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationTest {

    static final Duration ASK = Duration.ofSeconds(10);
    static InJvmCluster cluster;
    static int crashed = -1;

    @BeforeAll
    static void start() throws Exception {
        crashed = -1;
        cluster = InJvmCluster.start("r", 3, false, i -> String.join("\n",
                // fast failure detection so the failover test stays short
                "ferry.cluster.acceptable-heartbeat-pause = 2s",
                "ferry.cluster.stable-after = 2s",
                // long enough that a master crashed right after storing an unacknowledged message has not yet
                // dropped its silent replica, even on a loaded machine (the divergence test relies on it)
                "ferry.replication.in-sync-timeout = 3s",
                "ferry.replication.probe-interval = 200ms",
                // a terminated system must not leave the cluster gracefully: the failover test simulates a crash
                "akka.coordinated-shutdown.run-by-actor-system-terminate = off"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
        cluster = null;
    }

    // ---------------------------------------------------------------- helpers

    static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        InJvmCluster.eventually(40_000, condition);
    }

    static void eventually(Supplier<Boolean> condition, Supplier<String> state) throws InterruptedException {
        InJvmCluster.eventually(40_000, condition, state);
    }

    static FerryNode live() {
        return cluster.live().get(0);
    }

    static void createTopic(String topic, int replicas, TopicSettings.Replication replication) throws Exception {
        FerryNode n = live();
        TopicSettings settings = new TopicSettings(1, replicas, replication, TopicSettings.Flush.ASYNC, 4 << 20, Map.of());
        Broker.Reply reply = AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Create(settings, r), ASK, n.system().scheduler()).toCompletableFuture().get();
        assertInstanceOf(Broker.TopicReply.class, reply);
    }

    static QueueRoute route(String topic) {
        return live().services().routes().get(topic).orElseThrow().queues().get(0);
    }

    /** Waits until every replica copy of {@code topic}/0 is in the in-sync set. */
    static void awaitInSync(String topic, int replicas) throws InterruptedException {
        eventually(() -> route(topic).inSync().size() == replicas + 1);
    }

    static QueueEntity.AppendReply send(FerryNode via, String topic, String id) throws Exception {
        return send(via, topic, id, ASK);
    }

    static QueueEntity.AppendReply send(FerryNode via, String topic, String id, Duration timeout) throws Exception {
        StoredMessage m = new StoredMessage(id, id.getBytes(), List.of(), List.of(), Map.of(), System.currentTimeMillis());
        return AskPattern.<QueueEntity.Command, QueueEntity.AppendReply>ask(
                via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                r -> new QueueEntity.Append(List.of(m), r), timeout, via.system().scheduler()).toCompletableFuture().get();
    }

    static MessageStore store(FerryNode n) {
        Path dir = FerryJournalSettings.fromConfig(n.system().settings().config().getConfig("ferry.journal")).dir();
        return FerryJournalStores.forDirectory(dir).orElseThrow();
    }

    static Path storeDir(FerryNode n) {
        return FerryJournalSettings.fromConfig(n.system().settings().config().getConfig("ferry.journal")).dir();
    }

    static FerryNode byName(String name) {
        return cluster.byName(name);
    }

    static List<StoredRecord> records(FerryNode n, String pid) throws Exception {
        ReadResult r = store(n).read(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, TagFilter.ALL);
        return ((ReadResult.Records) r).records();
    }

    // ---------------------------------------------------------------- tests

    @Test @Order(1)
    void replicasReceiveEveryBatchInOrderUnderTheSamePersistenceId() throws Exception {
        String topic = "ordered";
        createTopic(topic, 2, TopicSettings.Replication.ASYNC);
        for (int i = 0; i < 200; i++) assertInstanceOf(QueueEntity.Appended.class, send(cluster.node(i % 3), topic, "m-" + i));
        QueueRoute r = route(topic);
        FerryNode master = byName(r.masterNode());
        List<StoredRecord> expected = records(master, topic + "/0");
        assertEquals(200, expected.size());
        for (int copy = 1; copy <= 2; copy++) {
            int c = copy;
            eventually(() -> !route(topic).nodes().getOrDefault(c, "").isEmpty());
            FerryNode replica = byName(route(topic).nodes().get(copy));
            assertFalse(replica == master, "a replica shares the master's node");
            eventually(() -> store(replica).highestSequence(topic + "/0") == 200);
            List<StoredRecord> got = records(replica, topic + "/0");
            assertEquals(200, got.size());
            for (int i = 0; i < 200; i++) {
                assertEquals(i + 1, got.get(i).sequenceNr());
                assertArrayEquals(expected.get(i).payload(), got.get(i).payload(), "record " + (i + 1) + " differs on copy " + copy);
            }
        }
    }

    @Test @Order(2)
    void syncSendIsNotAcknowledgedBeforeEveryInSyncReplicaHasIt() throws Exception {
        String topic = "synced";
        createTopic(topic, 2, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 2);
        QueueRoute r = route(topic);
        for (int i = 0; i < 50; i++) {
            var reply = send(cluster.node(i % 3), topic, "s-" + i);
            long offset = assertInstanceOf(QueueEntity.Appended.class, reply).firstOffset();
            for (int copy = 1; copy <= 2; copy++)
                assertTrue(store(byName(r.nodes().get(copy))).highestSequence(topic + "/0") >= offset + 1,
                        "copy " + copy + " lacks acknowledged offset " + offset);
        }
    }

    @Test @Order(3)
    void aShipmentOfALowerTermIsRefused() throws Exception {
        String topic = "fenced";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        assertInstanceOf(QueueEntity.Appended.class, send(live(), topic, "f-0"));
        QueueRoute r = route(topic);
        FerryNode replicaNode = byName(r.nodes().get(1));
        TestProbe<QueueEntity.Command> staleMaster = TestProbe.create(replicaNode.system());
        ShippedRecord forged = new ShippedRecord(2, 0, new byte[]{1, 2, 3});
        replicaNode.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, 1))
                .tell(new Replica.Ship(r.term() - 1, 0, 1, List.of(forged), false, staleMaster.getRef()));
        QueueEntity.ReplicaRefused refused = staleMaster.expectMessageClass(QueueEntity.ReplicaRefused.class, Duration.ofSeconds(10));
        assertEquals(r.term(), refused.term());
        assertEquals(1, store(replicaNode).highestSequence(topic + "/0"));
    }

    @Test @Order(4)
    void aReplicaThatStopsAnsweringLeavesTheInSyncSetAndRejoinsAfterCatchingUp() throws Exception {
        String topic = "lagging";
        createTopic(topic, 2, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 2);
        QueueRoute r = route(topic);
        FerryNode replicaNode = byName(r.nodes().get(2));
        // Silence copy 2 the way a local master does: take its writer lease (hand-over), so it stays dormant.
        Object standIn = new Object();
        TestProbe<Replica.HandedOver> handedOver = TestProbe.create(replicaNode.system());
        boolean silenced = false;
        for (int i = 0; i < 20 && !silenced; i++) {
            // The replica restarts when the master probes it; it goes dormant once the stand-in holds the lease.
            replicaNode.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, 2))
                    .tell(new Replica.HandOver(handedOver.getRef()));
            handedOver.expectMessageClass(Replica.HandedOver.class, Duration.ofSeconds(10));
            silenced = LocalWriters.tryAcquire(storeDir(replicaNode), topic + "/0", standIn, true).isEmpty();
        }
        assertTrue(silenced, "could not take copy 2's writer lease");
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) assertInstanceOf(QueueEntity.Appended.class, send(live(), topic, "l-" + i));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            eventually(() -> !route(topic).inSync().contains(2)); // route tables follow the Broker's write
            assertTrue(route(topic).inSync().contains(1));
            assertTrue(ms < 8_000, "sync sends waited " + ms + " ms for a silent replica");
            assertTrue(store(replicaNode).highestSequence(topic + "/0") < 20);
        } finally {
            LocalWriters.release(storeDir(replicaNode), topic + "/0", standIn);
        }
        eventually(() -> route(topic).inSync().contains(2));
        assertEquals(20, store(replicaNode).highestSequence(topic + "/0"));
    }

    @Test @Order(5)
    void promotionAfterTheMastersNodeCrashesKeepsEveryAcknowledgedMessageInOrderExactlyOnce() throws Exception {
        String topic = "failover";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        QueueRoute before = route(topic);
        String masterName = before.masterNode();
        String replicaName;
        FerryNode producerNode = null;
        for (FerryNode n : cluster.live()) if (!n.settings().node().name().equals(masterName)) producerNode = n;
        FerryNode via = producerNode;
        List<String> acked = new ArrayList<>();
        Map<String, Long> offsets = new HashMap<>();
        int attempt = 0;
        for (; attempt < 100; attempt++) {
            String id = "x-" + attempt;
            if (send(via, topic, id) instanceof QueueEntity.Appended a) {
                acked.add(id);
                offsets.put(id, a.firstOffset());
            }
        }
        // The balancer may have moved the replica meanwhile (a moved replica is out of sync until it recovered): crash
        // the master only while its replica is in sync again, as the test is about promotion, not about waiting.
        awaitInSync(topic, 1);
        replicaName = route(topic).nodes().get(1);
        // Crash the master's node: its system stops without leaving the cluster.
        int idx = cluster.indexOf(byName(masterName));
        crashed = idx;
        cluster.terminate(idx);
        long crashedAt = System.currentTimeMillis();
        long firstAckAfter = -1;
        while (acked.size() < 200 && System.currentTimeMillis() - crashedAt < 60_000) {
            String id = "x-" + attempt++;
            try {
                if (send(via, topic, id, Duration.ofSeconds(2)) instanceof QueueEntity.Appended a) {
                    if (firstAckAfter < 0) firstAckAfter = System.currentTimeMillis() - crashedAt;
                    acked.add(id);
                    offsets.put(id, a.firstOffset());
                } else {
                    Thread.sleep(100);
                }
            } catch (Exception timeout) {
                // the queue is moving: try the next message
            }
        }
        assertEquals(200, acked.size(), "sends were not accepted again after the crash");
        // Where the master runs now, as the Queue entity itself reports it (route tables follow by gossip, up to
        // notify-subscribers-interval later: reading one right after the last ack may still show the crashed node).
        QueueEntity.Stats stats = AskPattern.<QueueEntity.Command, QueueEntity.Stats>ask(
                via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                QueueEntity.GetStats::new, ASK, via.system().scheduler()).toCompletableFuture().get();
        assertEquals(replicaName, stats.node(), "the master was not promoted onto the in-sync replica's node");
        eventually(() -> replicaName.equals(route(topic).masterNode()));
        assertTrue(route(topic).term() > before.term());
        System.out.println("failover: first acknowledged send " + firstAckAfter + " ms after the master's node stopped");

        // Read the whole queue back from the new master.
        List<String> read = new ArrayList<>();
        long offset = 0;
        while (true) {
            long from = offset;
            QueueEntity.ReadReply reply = AskPattern.<QueueEntity.Command, QueueEntity.ReadReply>ask(
                    via.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0)),
                    rt -> new QueueEntity.Read(from, 1000, Long.MAX_VALUE, dev.ferry.queue.TagFilter.ALL, 0, rt), ASK, via.system().scheduler())
                    .toCompletableFuture().get();
            var page = assertInstanceOf(QueueEntity.Messages.class, reply);
            page.messages().forEach(m -> read.add(m.message().id()));
            if (page.messages().isEmpty()) break;
            offset = page.nextOffset();
        }
        Map<String, Integer> seen = new HashMap<>();
        read.forEach(id -> seen.merge(id, 1, Integer::sum));
        int last = -1;
        for (String id : acked) {
            assertEquals(1, seen.getOrDefault(id, 0), "acknowledged message " + id + " read " + seen.getOrDefault(id, 0) + " times");
            int at = read.indexOf(id);
            assertTrue(at > last, "acknowledged message " + id + " out of order");
            last = at;
        }
    }

    @Test @Order(6)
    void afterPromotionTheDisplacedReplicaSlotRecoversOnAnotherNodeAndRejoinsTheInSyncSet() throws Exception {
        String topic = "failover";
        QueueRoute promoted = route(topic);
        // The promoted replica's slot first names the lost node; the rebalance round moves the (dormant) Replica off
        // the master's node, where it copies the log from the master and rejoins.
        eventually(() -> route(topic).inSync().contains(1) && !route(topic).nodes().get(1).equals(route(topic).masterNode()));
        QueueRoute healed = route(topic);
        assertEquals(promoted.term(), healed.term());
        FerryNode replicaNode = byName(healed.nodes().get(1));
        FerryNode masterNode = byName(healed.masterNode());
        long end = store(masterNode).highestSequence(topic + "/0");
        assertEquals(end, store(replicaNode).highestSequence(topic + "/0"));
        List<StoredRecord> m = records(masterNode, topic + "/0");
        List<StoredRecord> r = records(replicaNode, topic + "/0");
        assertEquals(m.size(), r.size());
        for (int i = 0; i < m.size(); i++) assertArrayEquals(m.get(i).payload(), r.get(i).payload());
        assertInstanceOf(QueueEntity.Appended.class, send(live(), topic, "after-heal"));
    }

    @Test @Order(7)
    void aFormerMasterThatReturnsDropsItsLogAndServesAsAReplicaWithTheNewMastersLog() throws Exception {
        String topic = "failover";
        String name = cluster.name(crashed);
        cluster.restart(crashed);
        cluster.awaitAllUp();
        FerryNode n = live();
        Broker.Reply reply = AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Patch(new dev.ferry.broker.SettingsPatch(null, 2, null, null, null, null), r), ASK, n.system().scheduler())
                .toCompletableFuture().get();
        assertInstanceOf(Broker.TopicReply.class, reply);
        // The only node without a copy is the former master: replica slot 2 lands there, drops the old log and copies the master's.
        eventually(() -> name.equals(route(topic).nodes().get(2)) && route(topic).inSync().contains(2));
        FerryNode former = cluster.node(crashed);
        FerryNode masterNode = byName(route(topic).masterNode());
        List<StoredRecord> m = records(masterNode, topic + "/0");
        List<StoredRecord> r = records(former, topic + "/0");
        assertEquals(m.size(), r.size());
        for (int i = 0; i < m.size(); i++) {
            assertEquals(m.get(i).sequenceNr(), r.get(i).sequenceNr());
            assertArrayEquals(m.get(i).payload(), r.get(i).payload(), "record " + m.get(i).sequenceNr() + " differs on the former master");
        }
    }

    @Test @Order(8)
    void aFormerMasterWithAnUnacknowledgedTailEndsWithTheNewMastersLog() throws Exception {
        String topic = "diverge";
        createTopic(topic, 1, TopicSettings.Replication.SYNC);
        awaitInSync(topic, 1);
        for (int i = 0; i < 10; i++) assertInstanceOf(QueueEntity.Appended.class, send(live(), topic, "d-" + i));
        QueueRoute before = route(topic);
        int masterIdx = cluster.indexOf(byName(before.masterNode()));
        FerryNode via = null;
        for (FerryNode n : cluster.live()) if (cluster.indexOf(n) != masterIdx) via = n;
        // Silence the replica (it stays in the in-sync set for in-sync-timeout), store one more message on the master
        // only, then crash the master before that message is acknowledged: the master's log now has a tail the
        // replica never had.
        Object standIn = new Object();
        FerryNode silencedOn = null;
        for (int i = 0; i < 40 && silencedOn == null; i++) {
            // Only on the node whose writer lease the copy holds: the balancer may be moving it.
            FerryNode n = byName(route(topic).nodes().get(1));
            if (LocalWriters.holder(storeDir(n), topic + "/0").isEmpty()) {
                Thread.sleep(250);
                continue;
            }
            TestProbe<Replica.HandedOver> handedOver = TestProbe.create(n.system());
            n.services().sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, 0, 1)).tell(new Replica.HandOver(handedOver.getRef()));
            handedOver.expectMessageClass(Replica.HandedOver.class, Duration.ofSeconds(10));
            if (LocalWriters.tryAcquire(storeDir(n), topic + "/0", standIn, true).isEmpty()) silencedOn = n;
        }
        assertTrue(silencedOn != null, "could not take replica 1's writer lease");
        FerryNode replicaNode = silencedOn;
        FerryNode sender = via;
        var unacked = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return send(sender, topic, "never-acknowledged", Duration.ofSeconds(3));
            } catch (Exception e) {
                return null;
            }
        });
        FerryNode master = cluster.node(masterIdx);
        long deadline = System.currentTimeMillis() + 2_000;
        while (store(master).highestSequence(topic + "/0") < 11 && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(11, store(master).highestSequence(topic + "/0"), "the master did not store the 11th message");
        cluster.terminate(masterIdx);
        LocalWriters.release(storeDir(replicaNode), topic + "/0", standIn);
        assertFalse(unacked.get() instanceof QueueEntity.Appended, "the 11th message was acknowledged without its replica");

        // The replica's node becomes master (term + 1) and writes a different 11th message.
        eventually(() -> {
            try {
                return send(replicaNode, topic, "new-11", Duration.ofSeconds(2)) instanceof QueueEntity.Appended;
            } catch (Exception notYet) {
                return false;
            }
        }, () -> "no promotion; the route as " + replicaNode.settings().node().name() + " sees it: " + route(topic));
        eventually(() -> replicaNode.settings().node().name().equals(route(topic).masterNode())); // route tables follow

        // The former master returns and gets a replica slot: its tail must not survive.
        String name = cluster.name(masterIdx);
        cluster.restart(masterIdx);
        cluster.awaitAllUp();
        FerryNode n = live();
        assertInstanceOf(Broker.TopicReply.class, AskPattern.<Broker.Command, Broker.Reply>ask(
                n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Patch(new dev.ferry.broker.SettingsPatch(null, 2, null, null, null, null), r), ASK, n.system().scheduler())
                .toCompletableFuture().get());
        // Both replica slots in sync: one of them is on the former master's node (three copies, three nodes).
        eventually(() -> route(topic).inSync().equals(List.of(0, 1, 2)));
        assertTrue(route(topic).nodes().values().contains(name), "no copy on the former master: " + route(topic));
        List<StoredRecord> m = records(replicaNode, topic + "/0");
        List<StoredRecord> r = records(cluster.node(masterIdx), topic + "/0");
        assertEquals(m.size(), r.size());
        for (int i = 0; i < m.size(); i++) assertArrayEquals(m.get(i).payload(), r.get(i).payload(), "record " + (i + 1) + " differs");
    }

    /** The replica entities running on {@code n} (its region's shards), as sharding reports them. */
    static java.util.Set<String> replicasOn(FerryNode n) {
        try {
            akka.cluster.sharding.ShardRegion.CurrentShardRegionState state = AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery,
                    akka.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(n.services().sharding().shardState(),
                    r -> new akka.cluster.sharding.typed.GetShardRegionState(Replica.TYPE_KEY, r), ASK, n.system().scheduler())
                    .toCompletableFuture().get();
            java.util.Set<String> out = new java.util.HashSet<>();
            state.getShards().forEach(shard -> out.addAll(shard.getEntityIds()));
            return out;
        } catch (Exception e) {
            return java.util.Set.of();
        }
    }

    /**
     * Akka starts a shard only when a message reaches it. An idle queue's master sends its caught-up replica nothing,
     * so when the replica's node crashes, the strategy's reroute must start the replica again on a node the core
     * picks: no send may be needed for the queue to have its copies back.
     */
    @Test @Order(9)
    void anIdleQueuesReplicaWhoseNodeCrashedStartsAgainWithoutASend() throws Exception {
        cluster.awaitAllUp();
        String topic = "idle-return";
        createTopic(topic, 1, TopicSettings.Replication.ASYNC);
        awaitInSync(topic, 1);
        assertInstanceOf(QueueEntity.Appended.class, send(live(), topic, "before-crash"));
        String replicaNode = route(topic).nodes().get(1);
        String masterNode = route(topic).masterNode();
        eventually(() -> store(byName(replicaNode)).highestSequence(topic + "/0") == 1);
        int idx = cluster.indexOf(byName(replicaNode));
        cluster.terminate(idx);
        try {
            eventually(() -> InJvmCluster.up(live()) == 2);
            eventually(() -> {
                for (FerryNode n : cluster.live())
                    if (!n.settings().node().name().equals(masterNode) && replicasOn(n).contains(Replica.entityId(topic, 0, 1))) return true;
                return false;
            }, () -> "replica not started again; route " + route(topic));
        } finally {
            cluster.restart(idx);
            cluster.awaitAllUp();
        }
    }
}
