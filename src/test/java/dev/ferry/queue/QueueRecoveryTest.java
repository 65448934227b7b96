package dev.ferry.queue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicSettings;
import dev.ferry.node.TestCluster;
import dev.ferry.node.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A node stops and a new one starts on the same data directory: topics, offsets and messages are all still there. */
class QueueRecoveryTest {

    Path dir = TestNodes.tempDir("ferry-recovery");
    TestCluster.Node node;

    @AfterEach
    void stop() {
        if (node != null) node.stop();
        TestNodes.deleteRecursively(dir);
    }

    @Test
    void offsetsAndMessagesSurviveANodeRestartOnTheFerryJournal() {
        node = TestCluster.start(TestNodes.config("recover-1", 25525, 0, dir, ""));
        TestProbe<Broker.Reply> created = node.kit().createTestProbe();
        node.services().sharding().entityRefFor(Broker.TYPE_KEY, "kept")
                .tell(new Broker.Create(new TopicSettings(1, 0, TopicSettings.Replication.ASYNC, TopicSettings.Flush.SYNC, 1 << 20, Map.of()), created.getRef()));
        assertInstanceOf(Broker.TopicReply.class, created.receiveMessage(Duration.ofSeconds(15)));
        assertEquals(0, append(IntStream.range(0, 20).mapToObj(i -> message("keep-" + i)).toArray(StoredMessage[]::new)).firstOffset());
        node.stop();

        // Another port: a restarted node is a new cluster member; its name and data directory are what carry over.
        node = TestCluster.start(TestNodes.config("recover-1", 25526, 0, dir, ""));
        assertEquals(20, append(message("after")).firstOffset(), "offsets continue after recovery");
        TestProbe<QueueEntity.ReadReply> read = node.kit().createTestProbe();
        queue().tell(new QueueEntity.Read(0, 100, Long.MAX_VALUE, TagFilter.ALL, 0, read.getRef()));
        List<String> bodies = assertInstanceOf(QueueEntity.Messages.class, read.receiveMessage(Duration.ofSeconds(15))).messages().stream()
                .map(m -> new String(m.message().body(), StandardCharsets.UTF_8)).toList();
        assertEquals(21, bodies.size());
        assertEquals("keep-0", bodies.get(0));
        assertEquals("after", bodies.get(20));
    }

    private akka.cluster.sharding.typed.javadsl.EntityRef<QueueEntity.Command> queue() {
        return node.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId("kept", 0));
    }

    private QueueEntity.Appended append(StoredMessage... messages) {
        TestProbe<QueueEntity.AppendReply> probe = node.kit().createTestProbe();
        queue().tell(new QueueEntity.Append(List.of(messages), probe.getRef()));
        return assertInstanceOf(QueueEntity.Appended.class, probe.receiveMessage(Duration.ofSeconds(20)));
    }

    private static StoredMessage message(String body) {
        return new StoredMessage("id-" + body, body.getBytes(StandardCharsets.UTF_8), List.of(), List.of(), Map.of(), 1L);
    }
}
