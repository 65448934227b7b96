package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry topic ...} against a real node. */
@ExtendWith(TestNode.class)
class TopicCommandTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    private static String newTopic() {
        return "topic-cmd-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    }

    @Test
    void createPrintsTheTopicsSettings() {
        String topic = newTopic();
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", topic, "--queues", "3", "--flush", "sync");
        assertEquals(0, r.exit(), r.err());
        assertEquals("topic " + topic + ": 3 queues, 0 replicas, replication async, flush sync", r.out().strip());
    }

    @Test
    void listShowsACreatedTopicWithItsQueueCount() {
        String topic = newTopic();
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "2");
        Cli.Result r = Cli.against(TestNode.URL, "topic", "list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().get(0).startsWith("TOPIC"), r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches(topic + "\\s+2\\s+0\\s+async\\s+async")), r.out());
    }

    @Test
    void describeShowsEveryQueueWithItsMasterNode() {
        String topic = newTopic();
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "2");
        Cli.Result r = Cli.against(TestNode.URL, "topic", "describe", topic);
        assertEquals(0, r.exit(), r.err());
        assertEquals(4, r.lines().size(), r.out());
        assertTrue(r.lines().get(2).matches("0\\s+0\\s+0\\s+cli-test\\s+\\d+\\s+0:master@cli-test"), r.out());
        assertTrue(r.lines().get(3).matches("1\\s+0\\s+0\\s+cli-test\\s+\\d+\\s+0:master@cli-test"), r.out());
    }

    @Test
    void describeJsonPrintsTheNodesAnswer() {
        String topic = newTopic();
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1");
        Cli.Result r = Cli.against(TestNode.URL, "topic", "describe", topic, "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"name\" : \"" + topic + "\""), r.out());
        assertTrue(r.out().contains("\"queueStates\""), r.out());
    }

    @Test
    void deleteRemovesTheTopic() {
        String topic = newTopic();
        Cli.against(TestNode.URL, "topic", "create", topic);
        Cli.Result deleted = Cli.against(TestNode.URL, "topic", "delete", topic);
        assertEquals(0, deleted.exit(), deleted.err());
        Cli.Result describe = Cli.against(TestNode.URL, "topic", "describe", topic);
        assertEquals(1, describe.exit());
        assertTrue(describe.err().startsWith("ferry topic describe: HTTP 404: topic_not_found"), describe.err());
    }

    @Test
    void describingAnUnknownTopicPrintsTheNodesErrorAndExits1() {
        Cli.Result r = Cli.against(TestNode.URL, "topic", "describe", "no-such-topic-" + System.nanoTime());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("ferry topic describe: HTTP 404: topic_not_found\n  "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aHostileTopicNameIsRefusedByTheNodeWith400() {
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", "../x");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("ferry topic create: HTTP 400: invalid_topic_name"), r.err());
    }

    @Test
    void anOutOfRangeQueueCountIsAUsageError() {
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", newTopic(), "--queues", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--queues must be between 1 and 1024, was 0"), r.err());
    }

    @Test
    void aNegativeReplicaCountIsAUsageError() {
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", newTopic(), "-r", "-1");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--replicas must be between 0 and 16, was -1"), r.err());
    }
}
