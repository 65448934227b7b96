package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry group describe|reset} against a real node, as kafka-consumer-groups --describe / --reset-offsets. */
@ExtendWith(TestNode.class)
class GroupCommandTest {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final FerryClient HTTP = new FerryClient(URI.create(TestNode.URL));

    /** A one-queue topic holding {@code messages} messages. */
    private static String newTopic(int messages) {
        String topic = "group-cmd-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        assertEquals(0, Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1").exit());
        var batch = HTTP.object();
        var list = batch.putArray("messages");
        for (int i = 0; i < messages; i++) list.addObject().put("body", "m" + i);
        HTTP.postJson(FerryClient.topicPath(topic) + "/messages:batch", batch);
        return topic;
    }

    @Test
    void describeShowsCommittedOffsetAndLagPerQueue() {
        String topic = newTopic(5);
        HTTP.postJson("/groups/desc-" + topic + "/commit", HTTP.object().put("topic", topic).put("queue", 0).put("offset", 2));
        Cli.Result r = Cli.against(TestNode.URL, "group", "describe", "desc-" + topic);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(topic + "\\s+0\\s+2\\s+5\\s+3\\s+-")), r.out());
    }

    @Test
    void resetToLatestSetsTheCommittedOffsetToTheEnd() {
        String topic = newTopic(4);
        String group = "latest-" + topic;
        Cli.Result r = Cli.against(TestNode.URL, "group", "reset", group, "-t", topic, "--to-latest");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(topic + "\\s+0\\s+4")), r.out());
        assertEquals(4, HTTP.get("/groups/" + group).path("topics").get(0).path("queues").get(0).path("committed").asLong());
    }

    @Test
    void aDryRunSetsNothing() {
        String topic = newTopic(4);
        String group = "dry-" + topic;
        HTTP.postJson("/groups/" + group + "/commit", HTTP.object().put("topic", topic).put("queue", 0).put("offset", 1));
        Cli.Result r = Cli.against(TestNode.URL, "group", "reset", group, "-t", topic, "--to-offset", "3", "--dry-run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("dry run"), r.out());
        assertEquals(1, HTTP.get("/groups/" + group).path("topics").get(0).path("queues").get(0).path("committed").asLong());
    }

    @Test
    void resetOfAGroupWithALiveConsumerFailsNamingIt() {
        String topic = newTopic(2);
        String group = "busy-" + topic;
        HTTP.postJson("/groups/" + group + "/pull", HTTP.object().put("topic", topic).put("consumer", "worker-1"));
        Cli.Result r = Cli.against(TestNode.URL, "group", "reset", group, "-t", topic, "--to-earliest");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("worker-1"), r.err());
    }

    @Test
    void resetWithoutATargetOrWithTwoIsAUsageError() {
        assertEquals(2, Cli.against(TestNode.URL, "group", "reset", "g", "-t", "t").exit());
        assertEquals(2, Cli.against(TestNode.URL, "group", "reset", "g", "-t", "t", "--to-latest", "--to-earliest").exit());
        assertEquals(2, Cli.against(TestNode.URL, "group", "reset", "g", "-t", "t", "--to-offset", "-1").exit());
    }

    @Test
    void listNamesAGroupThatCommittedAndDeleteForgetsIt() {
        String topic = newTopic(1);
        String group = "listed-" + topic;
        HTTP.postJson("/groups/" + group + "/commit", HTTP.object().put("topic", topic).put("queue", 0).put("offset", 1));
        Cli.Result list = Cli.against(TestNode.URL, "group", "list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.matches(group + "\\s+" + topic)), list.out());
        Cli.Result d = Cli.against(TestNode.URL, "group", "delete", group);
        assertEquals(0, d.exit(), d.err());
        assertEquals(1, Cli.against(TestNode.URL, "group", "describe", group).exit());
    }
}
