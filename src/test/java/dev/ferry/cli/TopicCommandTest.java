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
    void creatingAnExistingTopicSaysItAlreadyExistsAndExits1() {
        String topic = newTopic();
        assertEquals(0, Cli.against(TestNode.URL, "topic", "create", topic, "-q", "4", "-r", "0", "--replication", "sync").exit());
        Cli.Result again = Cli.against(TestNode.URL, "topic", "create", topic, "-q", "4", "-r", "0", "--replication", "sync");
        assertEquals(1, again.exit(), again.out());
        assertEquals("ferry topic create: topic " + topic + " already exists (with these settings); --if-not-exists makes that not an error",
                again.err().strip());
        assertEquals("", again.out());
    }

    @Test
    void creatingAnExistingTopicWithIfNotExistsExits0Quietly() {
        String topic = newTopic();
        assertEquals(0, Cli.against(TestNode.URL, "topic", "create", topic, "-q", "2").exit());
        Cli.Result again = Cli.against(TestNode.URL, "topic", "create", topic, "-q", "2", "--if-not-exists");
        assertEquals(0, again.exit(), again.err());
        assertEquals("", again.out() + again.err());
    }

    @Test
    void createWithIfNotExistsStillCreatesANewTopic() {
        String topic = newTopic();
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", topic, "-q", "2", "--if-not-exists");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("topic " + topic + ": 2 queues"), r.out());
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
    void deleteJsonPrintsTheNodesAnswer() {
        String topic = newTopic();
        Cli.against(TestNode.URL, "topic", "create", topic);
        Cli.Result deleted = Cli.against(TestNode.URL, "topic", "delete", topic, "--json");
        assertEquals(0, deleted.exit(), deleted.err());
        assertTrue(deleted.out().contains("\"deleted\" : true"), deleted.out());
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
