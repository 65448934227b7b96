package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry consume} against a real node: a group consumer is a new session of its consumer id each run (it starts
 * at the committed offsets, whatever an earlier run of the same id got), commits only what it printed, leaves the
 * group when it ends, says so in one line when its topic is deleted under it, and refuses nonsense options as usage
 * errors.
 */
@ExtendWith(TestNode.class)
class ConsumeCommandTest {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final FerryClient HTTP = new FerryClient(URI.create(TestNode.URL));

    /** A topic of {@code queues} queues with {@code messages} messages m0, m1, ... in queue 0. */
    private static String newTopic(int queues, int messages) {
        String topic = "consume-cmd-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", topic, "-q", Integer.toString(queues));
        assertEquals(0, r.exit(), r.err());
        var batch = HTTP.object();
        var list = batch.putArray("messages");
        for (int i = 0; i < messages; i++) list.addObject().put("body", "m" + i).put("queue", 0);
        if (messages > 0) HTTP.postJson(FerryClient.topicPath(topic) + "/messages:batch", batch);
        return topic;
    }

    private static JsonNode groupTopic(String group) {
        return HTTP.get("/groups/" + group).path("topics").get(0);
    }

    private static long committed(String group, int queue) {
        return groupTopic(group).path("queues").get(queue).path("committed").asLong();
    }

    // ---------------------------------------------------------------- sessions: what an earlier run got is not skipped

    @Test
    void aGroupConsumerRunAgainUnderTheSameIdStartsAtTheCommittedOffsetNotWhereAnEarlierPullGot() {
        String topic = newTopic(1, 60);
        String group = "restart-" + topic;
        // A client of consumer w pulled 50 messages and "crashed" before committing any.
        JsonNode pulled = HTTP.postJson("/groups/" + group + "/pull", HTTP.object().put("topic", topic).put("consumer", "w").put("max", 50));
        assertEquals(50, pulled.path("messages").size());
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--consumer", "w", "-n", "3", "--wait-ms", "200");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0/0 m0", "0/1 m1", "0/2 m2"), r.lines());
        assertEquals(3, committed(group, 0), "it commits what it printed, no more");
    }

    @Test
    void aGroupFollowRunUnderTheSameIdAsAnEarlierClientStartsAtTheCommittedOffsetNotWhereItGot() {
        String topic = newTopic(1, 60);
        String group = "restart-f-" + topic;
        JsonNode pulled = HTTP.postJson("/groups/" + group + "/pull", HTTP.object().put("topic", topic).put("consumer", "z").put("max", 50));
        assertEquals(50, pulled.path("messages").size());
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--consumer", "z", "-f", "-n", "3");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0/0 m0", "0/1 m1", "0/2 m2"), r.lines());
        assertEquals(3, committed(group, 0), "it commits what it printed, no more");
    }

    // ---------------------------------------------------------------- leaving the group on exit

    @Test
    void aGroupConsumeLeavesTheGroupWhenItEnds() {
        String topic = newTopic(2, 3);
        String group = "leave-" + topic;
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--wait-ms", "200");
        assertEquals(3, r.lines().size(), r.out() + r.err());
        assertEquals(0, groupTopic(group).path("consumers").size(), "no consumer is left in the group: " + groupTopic(group));
    }

    @Test
    void aGroupConsumeStoppedByCountLeavesTheGroup() {
        String topic = newTopic(2, 3);
        String group = "leave-n-" + topic;
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-g", group, "-n", "1", "--wait-ms", "200");
        assertEquals(1, r.lines().size(), r.out() + r.err());
        assertEquals(0, groupTopic(group).path("consumers").size(), "no consumer is left in the group: " + groupTopic(group));
    }

    @Test
    void aSecondGroupConsumerStartedRightAfterAFirstOneEndedGetsEveryQueue() {
        String topic = newTopic(2, 0);
        String group = "second-" + topic;
        Cli.against(TestNode.URL, "consume", topic, "-g", group, "--consumer", "first", "--wait-ms", "0");
        JsonNode pull = HTTP.postJson("/groups/" + group + "/pull", HTTP.object().put("topic", topic).put("consumer", "second"));
        assertEquals("[0,1]", pull.path("queues").toString(), "the first consumer's queues are not held for a session timeout");
    }

    // ---------------------------------------------------------------- the topic deleted under a --follow

    private static Cli.Result followWhileTheTopicIsDeleted(String topic, String... source) throws Exception {
        List<String> args = new ArrayList<>(List.of("consume", topic, "-f"));
        args.addAll(List.of(source));
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.against(TestNode.URL, args.toArray(String[]::new)));
        Thread.sleep(1500);
        Cli.Result deleted = Cli.against(TestNode.URL, "topic", "delete", topic);
        assertEquals(0, deleted.exit(), deleted.err());
        return run.get(30, TimeUnit.SECONDS);
    }

    @Test
    void deletingTheTopicUnderAGroupFollowEndsItWithOneLineSayingSo() throws Exception {
        String topic = newTopic(1, 2);
        Cli.Result r = followWhileTheTopicIsDeleted(topic, "-g", "gone-" + topic);
        assertEquals(List.of("0/0 m0", "0/1 m1"), r.lines());
        assertEquals(1, r.exit(), r.err());
        assertEquals("ferry consume: topic " + topic + " was deleted", r.err().strip());
    }

    @Test
    void deletingTheTopicUnderARawFollowEndsItWithOneLineSayingSo() throws Exception {
        String topic = newTopic(1, 2);
        Cli.Result r = followWhileTheTopicIsDeleted(topic, "-q", "0");
        assertEquals(List.of("0/0 m0", "0/1 m1"), r.lines());
        assertEquals(1, r.exit(), r.err());
        assertEquals("ferry consume: topic " + topic + " was deleted", r.err().strip());
    }

    // ---------------------------------------------------------------- usage errors

    private static void assertUsageError(String option, String... args) {
        List<String> all = new ArrayList<>(List.of("consume", "some-topic", "-g", "g"));
        all.addAll(List.of(args));
        Cli.Result r = Cli.against(TestNode.URL, all.toArray(String[]::new));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith(option + " must be"), r.err());
    }

    @Test
    void aNegativeCountIsAUsageError() {
        assertUsageError("--count", "-n", "-3");
    }

    @Test
    void aNegativeWaitIsAUsageError() {
        assertUsageError("--wait-ms", "--wait-ms", "-1");
    }

    @Test
    void aMaxBelowOneIsAUsageError() {
        assertUsageError("--max", "-m", "0");
    }

    // ---------------------------------------------------------------- from a time

    @Test
    void aRawConsumeFromATimeStartsAtTheFirstMessageAcceptedThen() throws Exception {
        String topic = newTopic(1, 3);
        Thread.sleep(20); // what follows is accepted a later millisecond
        var later = HTTP.object();
        later.putArray("messages").addObject().put("body", "late").put("queue", 0);
        HTTP.postJson(FerryClient.topicPath(topic) + "/messages:batch", later);
        long at = HTTP.get(FerryClient.topicPath(topic) + "/queues/0/messages?offset=3&max=1").path("messages").get(0).path("bornAt").asLong();
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-q", "0", "--from-time", java.time.Instant.ofEpochMilli(at).toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0/3 late"), r.lines());
    }

    @Test
    void fromTimeInGroupModeIsAUsageErrorThatSaysHowToMoveAGroup() {
        Cli.Result r = Cli.against(TestNode.URL, "consume", "some-topic", "-g", "g", "--from-time", "2026-11-23T10:00:00Z");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("--from-time needs --queue"), r.err());
    }

    @Test
    void aMalformedFromTimeIsTheNodesBadRequest() {
        String topic = newTopic(1, 1);
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-q", "0", "--from-time", "yesterday");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("ISO-8601"), r.err());
    }
}
