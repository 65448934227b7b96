package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group administration as {@code kafka-consumer-groups} does it: {@code POST /groups/{g}/reset} moves the committed
 * offsets of a topic's queues to the earliest, the latest, a time or an offset (RocketMQ {@code resetOffsetByTime}), only
 * while the group has no live consumer of the topic, and the next consumer starts there; {@code GET /groups} lists the
 * groups with committed offsets; {@code DELETE /groups/{g}} forgets an empty group.
 */
class GroupAdminTest {

    private static OneNode one;
    private static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("reset-1", 25546, 0, "");
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    /** A topic of two queues with {@code perQueue} messages q{queue}-{i} in each. */
    private static String topic(int perQueue) {
        String t = "reset-" + IDS.incrementAndGet();
        assertEquals(201, one.http().put("/topics/" + t, "{\"queues\": 2}").status());
        for (int q = 0; q < 2; q++)
            for (int i = 0; i < perQueue; i++) send(t, q, "q" + q + "-" + i);
        return t;
    }

    private static long send(String topic, int queue, String body) {
        Http.Reply r = one.http().post("/topics/" + topic + "/messages", body.getBytes(StandardCharsets.UTF_8), "Ferry-Queue", String.valueOf(queue));
        assertEquals(201, r.status(), r.text());
        return r.json().path("offset").asLong();
    }

    private static Http.Reply reset(String group, String body) {
        return one.http().post("/groups/" + group + "/reset", body);
    }

    private static long committed(String group, int queue) {
        JsonNode g = one.http().get("/groups/" + group).json();
        return g.path("topics").get(0).path("queues").get(queue).path("committed").asLong();
    }

    private static List<String> pullBodies(String group, String topic, String consumer) {
        Http.Reply r = one.http().post("/groups/" + group + "/pull", "{\"topic\": \"" + topic + "\", \"consumer\": \"" + consumer + "\", \"max\": 100}");
        assertEquals(200, r.status(), r.text());
        return r.json().path("messages").findValuesAsText("body");
    }

    @Test
    void resetToLatestSkipsEverythingSentBefore() {
        String t = topic(3);
        Http.Reply r = reset("latest-g", "{\"topic\": \"" + t + "\", \"to\": \"latest\"}");
        assertEquals(200, r.status(), r.text());
        assertEquals(3, committed("latest-g", 0));
        assertEquals(3, committed("latest-g", 1));
        send(t, 1, "new");
        assertEquals(List.of("new"), pullBodies("latest-g", t, "c1"));
    }

    @Test
    void resetToATimeStartsTheNextConsumerAtTheFirstMessageAcceptedThen() throws Exception {
        String t = topic(2);
        Thread.sleep(20);
        long from = send(t, 0, "later-0");
        long at = one.http().get("/topics/" + t + "/queues/0/messages?offset=" + from + "&max=1").json().path("messages").get(0).path("bornAt").asLong();
        send(t, 1, "later-1");
        Http.Reply r = reset("time-g", "{\"topic\": \"" + t + "\", \"to\": \"timestamp\", \"timestamp\": \"" + Instant.ofEpochMilli(at) + "\"}");
        assertEquals(200, r.status(), r.text());
        assertEquals(List.of("later-0", "later-1"), pullBodies("time-g", t, "c1").stream().sorted().toList());
    }

    @Test
    void resetToEarliestRewindsACommittedGroup() {
        String t = topic(2);
        assertEquals(200, one.http().post("/groups/early-g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 2}").status());
        Http.Reply r = reset("early-g", "{\"topic\": \"" + t + "\", \"to\": \"earliest\", \"queues\": [0]}");
        assertEquals(200, r.status(), r.text());
        assertEquals(1, r.json().path("queues").size(), r.text());
        assertEquals(0, committed("early-g", 0));
    }

    @Test
    void anOffsetBeyondTheQueueIsClampedToItsEnd() {
        String t = topic(2);
        Http.Reply r = reset("clamp-g", "{\"topic\": \"" + t + "\", \"to\": \"offset\", \"offset\": 99}");
        assertEquals(200, r.status(), r.text());
        assertEquals(2, r.json().path("queues").get(0).path("offset").asLong(), r.text());
    }

    @Test
    void aDryRunShowsTheOffsetsAndSetsNothing() {
        String t = topic(2);
        assertEquals(200, one.http().post("/groups/dry-g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 1}").status());
        Http.Reply r = reset("dry-g", "{\"topic\": \"" + t + "\", \"to\": \"latest\", \"dryRun\": true}");
        assertEquals(200, r.status(), r.text());
        assertTrue(r.json().path("dryRun").asBoolean(), r.text());
        assertEquals(2, r.json().path("queues").get(0).path("offset").asLong(), r.text());
        assertEquals(1, committed("dry-g", 0));
    }

    @Test
    void aGroupWithALiveConsumerOfTheTopicIsNotReset() {
        String t = topic(2);
        pullBodies("busy-g", t, "c1");
        Http.Reply r = reset("busy-g", "{\"topic\": \"" + t + "\", \"to\": \"latest\"}");
        assertEquals(409, r.status(), r.text());
        assertEquals("group_active", r.json().path("error").asText(), r.text());
        assertTrue(r.json().path("detail").asText().contains("c1"), r.text());
        assertEquals(200, one.http().post("/groups/busy-g/leave", "{\"topic\": \"" + t + "\", \"consumer\": \"c1\"}").status());
        assertEquals(200, reset("busy-g", "{\"topic\": \"" + t + "\", \"to\": \"latest\"}").status());
    }

    @Test
    void aResetWithoutATargetOrWithAMismatchedFieldSaysWhatIsAccepted() {
        String t = topic(1);
        for (String body : new String[]{
                "{\"topic\": \"" + t + "\"}",
                "{\"topic\": \"" + t + "\", \"to\": \"yesterday\"}",
                "{\"topic\": \"" + t + "\", \"to\": \"timestamp\"}",
                "{\"topic\": \"" + t + "\", \"to\": \"timestamp\", \"timestamp\": \"noon\"}",
                "{\"topic\": \"" + t + "\", \"to\": \"latest\", \"offset\": 3}",
                "{\"topic\": \"" + t + "\", \"to\": \"offset\", \"offset\": -1}",
                "{\"topic\": \"" + t + "\", \"to\": \"latest\", \"queues\": []}"}) {
            Http.Reply r = reset("bad-g", body);
            assertEquals(400, r.status(), body + " -> " + r.text());
            assertEquals("invalid_field", r.json().path("error").asText(), r.text());
        }
        assertEquals(404, reset("bad-g", "{\"topic\": \"" + t + "\", \"to\": \"latest\", \"queues\": [5]}").status());
    }

    // ---------------------------------------------------------------- list and delete (kafka-consumer-groups --list / --delete)

    @Test
    void theListNamesEveryGroupWithCommittedOffsetsAndTheirTopics() {
        String t = topic(1);
        assertEquals(200, one.http().post("/groups/listed-g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 1}").status());
        pullBodies("pulled-only-g", t, "c1");
        JsonNode list = one.http().get("/groups").json();
        JsonNode listed = null;
        for (JsonNode g : list.path("groups")) {
            if (g.path("group").asText().equals("listed-g")) listed = g;
            assertTrue(!g.path("group").asText().equals("pulled-only-g"), "a group that never committed is not listed: " + list);
        }
        assertTrue(listed != null, list.toString());
        assertTrue(listed.path("topics").toString().contains(t), list.toString());
    }

    @Test
    void deletingAnEmptyGroupForgetsItsOffsetsAndItsNextConsumerStartsAfresh() {
        String t = topic(3);
        assertEquals(200, one.http().post("/groups/gone-g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 3}").status());
        Http.Reply d = one.http().delete("/groups/gone-g");
        assertEquals(200, d.status(), d.text());
        assertEquals(404, one.http().get("/groups/gone-g").status());
        assertTrue(!one.http().get("/groups").text().contains("\"gone-g\""));
        assertEquals(List.of("q0-0", "q0-1", "q0-2"), pullBodies("gone-g", t, "c1").stream().filter(b -> b.startsWith("q0")).toList());
    }

    @Test
    void aGroupWithALiveConsumerIsNotDeletedAndAnUnknownOneIsNotFound() {
        String t = topic(1);
        pullBodies("alive-g", t, "c9");
        Http.Reply d = one.http().delete("/groups/alive-g");
        assertEquals(409, d.status(), d.text());
        assertTrue(d.json().path("detail").asText().contains("c9"), d.text());
        assertEquals(404, one.http().delete("/groups/never-seen-g").status());
    }
}
