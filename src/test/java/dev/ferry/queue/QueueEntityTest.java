package dev.ferry.queue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicSettings;
import dev.ferry.node.TestCluster;
import dev.ferry.node.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Queue entity on a one-node cluster writing through the ferry.journal plugin into a real store. */
class QueueEntityTest {

    static Path dir;
    static TestCluster.Node node;
    static final AtomicInteger ids = new AtomicInteger();
    static final Duration WAIT = Duration.ofSeconds(15);

    static com.typesafe.config.Config config(int akkaPort) {
        // A tiny read cache, so reads of older offsets go to the store.
        return TestNodes.config("queue-1", akkaPort, 0, dir, "ferry.queue.read-cache-bytes = 2 KiB");
    }

    @BeforeAll
    static void start() {
        dir = TestNodes.tempDir("ferry-queue");
        node = TestCluster.start(config(25523));
    }

    @AfterAll
    static void stop() {
        node.stop();
        TestNodes.deleteRecursively(dir);
    }

    static String newTopic(TopicSettings.Flush flush) {
        String t = "q" + ids.incrementAndGet();
        TestProbe<Broker.Reply> probe = node.kit().createTestProbe();
        node.services().sharding().entityRefFor(Broker.TYPE_KEY, t)
                .tell(new Broker.Create(new TopicSettings(1, 0, TopicSettings.Replication.ASYNC, flush, 1 << 20, Map.of()), probe.getRef()));
        assertInstanceOf(Broker.TopicReply.class, probe.receiveMessage(WAIT));
        return t;
    }

    static EntityRef<QueueEntity.Command> queue(String topic) {
        return node.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0));
    }

    static StoredMessage message(String body, String... tags) {
        return new StoredMessage("id-" + body, body.getBytes(StandardCharsets.UTF_8), List.of(tags), List.of(), Map.of(), 1L);
    }

    static QueueEntity.Appended append(String topic, StoredMessage... messages) {
        return assertInstanceOf(QueueEntity.Appended.class, tellAppend(queue(topic), messages).receiveMessage(WAIT));
    }

    /** Tells {@code to} (through sharding or straight to the entity) one Append; the probe gets its reply. */
    static TestProbe<QueueEntity.AppendReply> tellAppend(akka.actor.typed.RecipientRef<QueueEntity.Command> to, StoredMessage... messages) {
        TestProbe<QueueEntity.AppendReply> probe = node.kit().createTestProbe();
        to.tell(new QueueEntity.Append(List.of(messages), probe.getRef()));
        return probe;
    }

    static QueueEntity.Messages read(String topic, long offset, int max, TagFilter filter, long waitMs) {
        TestProbe<QueueEntity.ReadReply> probe = node.kit().createTestProbe();
        queue(topic).tell(new QueueEntity.Read(offset, max, Long.MAX_VALUE, filter, waitMs, probe.getRef()));
        return assertInstanceOf(QueueEntity.Messages.class, probe.receiveMessage(WAIT.plusMillis(waitMs)));
    }

    static QueueEntity.Stats stats(String topic) {
        TestProbe<QueueEntity.Stats> probe = node.kit().createTestProbe();
        queue(topic).tell(new QueueEntity.GetStats(probe.getRef()));
        return probe.receiveMessage(WAIT);
    }

    static List<String> bodies(QueueEntity.Messages m) {
        return m.messages().stream().map(q -> new String(q.message().body(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void appendsGetConsecutiveOffsetsInSendOrder() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        assertEquals(0, append(t, message("a"), message("b")).firstOffset());
        assertEquals(2, append(t, message("c")).firstOffset());
        assertEquals(List.of("a", "b", "c"), bodies(read(t, 0, 10, TagFilter.ALL, 0)));
    }

    @Test
    void appendsThatArriveWhileAWriteIsInFlightShareOneJournalWrite() {
        String t = newTopic(TopicSettings.Flush.SYNC);
        append(t, message("warm-up"));
        TestProbe<QueueEntity.AppendReply> probe = node.kit().createTestProbe();
        int n = 500;
        for (int i = 0; i < n; i++) queue(t).tell(new QueueEntity.Append(List.of(message("m" + i)), probe.getRef()));
        Set<Long> offsets = new HashSet<>();
        for (int i = 0; i < n; i++) offsets.add(assertInstanceOf(QueueEntity.Appended.class, probe.receiveMessage(WAIT)).firstOffset());
        assertEquals(n, offsets.size(), "every message got its own offset");
        assertEquals(Set.copyOf(java.util.stream.LongStream.rangeClosed(1, n).boxed().toList()), offsets);
        long writes = stats(t).writes();
        assertTrue(writes < n / 2, n + " appends took " + writes + " journal writes; they should have been batched");
    }

    @Test
    void readFiltersByTagsAndSaysWhereToContinue() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        append(t, message("a", "A"), message("b", "B"), message("ab", "A", "B"), message("none"));
        QueueEntity.Messages m = read(t, 0, 10, TagFilter.parse("B||C"), 0);
        assertEquals(List.of("b", "ab"), bodies(m));
        assertEquals(4, m.nextOffset());
        assertEquals(4, m.maxOffset());
    }

    @Test
    void readsOlderThanTheCacheComeFromTheStore() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        for (int i = 0; i < 100; i++) append(t, message("old-" + i + "-" + "x".repeat(100), i % 10 == 0 ? new String[]{"T"} : new String[0]));
        QueueEntity.Messages first = read(t, 0, 5, TagFilter.ALL, 0);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), first.messages().stream().map(QueueMessage::offset).toList());
        assertEquals(5, first.nextOffset());
        QueueEntity.Messages tagged = read(t, 0, 100, TagFilter.parse("T"), 0);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L), tagged.messages().stream().map(QueueMessage::offset).toList());
        assertEquals(100, tagged.nextOffset());
    }

    @Test
    void aReadOfOlderMessagesFromTheStoreStopsAtItsByteBudget() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        // each weighs 1000 + 64 + 4 (id) = 1068 bytes: two fit in 2200, a third does not; the 2 KiB cache holds the newest
        for (int i = 0; i < 10; i++) append(t, new StoredMessage("id-" + i, new byte[1000], List.of(), List.of(), Map.of(), 1L));
        TestProbe<QueueEntity.ReadReply> probe = node.kit().createTestProbe();
        queue(t).tell(new QueueEntity.Read(0, 100, 2200, TagFilter.ALL, 0, probe.getRef()));
        QueueEntity.Messages m = assertInstanceOf(QueueEntity.Messages.class, probe.receiveMessage(WAIT));
        assertEquals(List.of(0L, 1L), m.messages().stream().map(QueueMessage::offset).toList());
        assertEquals(2, m.nextOffset());
    }

    @Test
    void aParkedReadIsAnsweredByTheNextAppend() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        TestProbe<QueueEntity.ReadReply> probe = node.kit().createTestProbe();
        queue(t).tell(new QueueEntity.Read(0, 10, Long.MAX_VALUE, TagFilter.ALL, 10_000, probe.getRef()));
        probe.expectNoMessage(Duration.ofMillis(300));
        append(t, message("wake"));
        QueueEntity.Messages m = assertInstanceOf(QueueEntity.Messages.class, probe.receiveMessage(WAIT));
        assertEquals(List.of("wake"), bodies(m));
    }

    @Test
    void aParkedReadEndsEmptyWhenItsWaitIsOver() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        QueueEntity.Messages m = read(t, 0, 10, TagFilter.ALL, 200);
        assertTrue(m.messages().isEmpty());
        assertEquals(0, m.nextOffset());
    }

    @Test
    void readFromTheEndStartsAtTheNextOffset() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        append(t, message("before"));
        assertEquals(1, read(t, -1, 10, TagFilter.ALL, 0).nextOffset());
    }

    static akka.actor.typed.ActorRef<QueueEntity.Command> localMaster(String topic) {
        return LocalMasters.get(node.services().system()).master(QueueEntity.entityId(topic, 0));
    }

    /** The master a first Append through sharding started, registered as this node's local master. */
    static akka.actor.typed.ActorRef<QueueEntity.Command> startedMaster(String topic, String first) {
        append(topic, message(first));
        return localMaster(topic);
    }

    @Test
    void aRunningMasterTakesAppendsDirectlyAsThisNodesLocalMaster() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        var master = startedMaster(t, "through sharding");
        TestProbe<QueueEntity.AppendReply> probe = tellAppend(master, message("direct"));
        assertEquals(1, assertInstanceOf(QueueEntity.Appended.class, probe.receiveMessage(WAIT)).firstOffset());
        assertEquals(List.of("through sharding", "direct"), bodies(read(t, 0, 10, TagFilter.ALL, 0)));
    }

    @Test
    void aMasterToldToStopLeavesTheLocalMastersButStoresWhatItAlreadyHas() {
        String t = newTopic(TopicSettings.Flush.ASYNC);
        var master = startedMaster(t, "first");
        TestProbe<QueueEntity.AppendReply> probe = tellAppend(master, message("queued before the stop"));
        master.tell(new QueueEntity.Stop()); // what sharding sends on a hand-off
        assertInstanceOf(QueueEntity.Appended.class, probe.receiveMessage(WAIT));
        TestProbe<Object> watcher = node.kit().createTestProbe();
        watcher.expectTerminated(master, WAIT);
        assertTrue(localMaster(t) == null || !localMaster(t).equals(master), "a stopped master is no local master");
        append(t, message("after the stop")); // through sharding, which starts the queue again
        assertEquals(List.of("first", "queued before the stop", "after the stop"), bodies(read(t, 0, 10, TagFilter.ALL, 0)));
    }
}
