package dev.ferry.broker;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.ferry.node.TestCluster;
import dev.ferry.node.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Broker entity on a one-node cluster: topic settings and routing state in durable Distributed Data. */
class BrokerTest {

    static Path dir;
    static TestCluster.Node node;
    static final AtomicInteger ids = new AtomicInteger();
    static final TopicSettings FOUR = new TopicSettings(4, 0, TopicSettings.Replication.ASYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());

    @BeforeAll
    static void start() {
        dir = TestNodes.tempDir("ferry-broker");
        node = TestCluster.start(TestNodes.config("broker-1", 25522, 0, dir, ""));
    }

    @AfterAll
    static void stop() {
        node.stop();
        TestNodes.deleteRecursively(dir);
    }

    static EntityRef<Broker.Command> broker(String topic) {
        return node.services().sharding().entityRefFor(Broker.TYPE_KEY, topic);
    }

    static Broker.Reply ask(String topic, java.util.function.Function<akka.actor.typed.ActorRef<Broker.Reply>, Broker.Command> cmd) {
        TestProbe<Broker.Reply> probe = node.kit().createTestProbe();
        broker(topic).tell(cmd.apply(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(15));
    }

    @Test
    void createdTopicHasOneFreshRoutePerQueueWithCopyZeroAsMaster() {
        String t = "b" + ids.incrementAndGet();
        Broker.TopicReply r = assertInstanceOf(Broker.TopicReply.class, ask(t, rt -> new Broker.Create(FOUR, rt)));
        assertTrue(r.created());
        assertEquals(4, r.state().queues().size());
        QueueRoute q = r.state().queues().get(2);
        assertEquals(2, q.queueId());
        assertEquals(0, q.master());
        assertEquals(1, q.term());
        assertEquals(List.of(0), q.inSync());
        assertEquals(r.state(), assertInstanceOf(Broker.TopicReply.class, ask(t, Broker.Get::new)).state());
    }

    @Test
    void createIsIdempotentButConflictsWhenSettingsDiffer() {
        String t = "b" + ids.incrementAndGet();
        ask(t, rt -> new Broker.Create(FOUR, rt));
        assertFalse(assertInstanceOf(Broker.TopicReply.class, ask(t, rt -> new Broker.Create(FOUR, rt))).created());
        TopicSettings two = new TopicSettings(2, 0, TopicSettings.Replication.ASYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());
        assertEquals(409, assertInstanceOf(Broker.Rejected.class, ask(t, rt -> new Broker.Create(two, rt))).status());
    }

    @Test
    void queuesRecordTheNodeTheirDataLivesOnOnceTheyStart() {
        String t = "b" + ids.incrementAndGet();
        ask(t, rt -> new Broker.Create(FOUR, rt));
        node.kit().createTestProbe().awaitAssert(Duration.ofSeconds(15), () -> {
            TopicState s = ((Broker.TopicReply) ask(t, Broker.Get::new)).state();
            for (QueueRoute q : s.queues()) assertEquals("broker-1", q.masterNode(), s.toString());
            return null;
        });
    }

    @Test
    void routingStateIsInDistributedDataForEveryNodesRouteTable() {
        String t = "b" + ids.incrementAndGet();
        ask(t, rt -> new Broker.Create(FOUR, rt));
        node.kit().createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
            assertTrue(node.services().routes().get(t).isPresent(), "route table learned " + t);
            return null;
        });
    }

    @Test
    void patchAddsQueuesAndRefusesToRemoveThem() {
        String t = "b" + ids.incrementAndGet();
        ask(t, rt -> new Broker.Create(FOUR, rt));
        SettingsPatch grow = new SettingsPatch(6, null, TopicSettings.Replication.SYNC, null, null, Map.of("topic.priority", "3"));
        TopicState s = assertInstanceOf(Broker.TopicReply.class, ask(t, rt -> new Broker.Patch(grow, rt))).state();
        assertEquals(6, s.queues().size());
        assertEquals(TopicSettings.Replication.SYNC, s.settings().replication());
        assertEquals("3", s.settings().settings().get("topic.priority"));
        SettingsPatch shrink = new SettingsPatch(2, null, null, null, null, null);
        assertEquals(400, assertInstanceOf(Broker.Rejected.class, ask(t, rt -> new Broker.Patch(shrink, rt))).status());
    }

    @Test
    void deleteLeavesATombstoneAndRecreatingStartsANewIncarnation() {
        String t = "b" + ids.incrementAndGet();
        ask(t, rt -> new Broker.Create(FOUR, rt));
        assertTrue(assertInstanceOf(Broker.TopicReply.class, ask(t, Broker.Delete::new)).state().deleted());
        assertInstanceOf(Broker.NotFound.class, ask(t, Broker.Get::new));
        TopicState again = assertInstanceOf(Broker.TopicReply.class, ask(t, rt -> new Broker.Create(FOUR, rt))).state();
        assertEquals(1, again.incarnation());
        assertEquals(t + "~1/0", again.persistenceId(0));
    }

    @Test
    void invalidSettingsAreRejected() {
        TopicSettings bad = new TopicSettings(0, 0, TopicSettings.Replication.ASYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());
        assertEquals(400, assertInstanceOf(Broker.Rejected.class, ask("b-invalid", rt -> new Broker.Create(bad, rt))).status());
    }
}
