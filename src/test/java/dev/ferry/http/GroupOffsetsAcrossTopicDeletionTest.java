package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group's offsets belong to one incarnation of a topic (docs/http-api.md, "Consumer groups"): deleting and
 * re-creating the topic starts its queues empty, and the group starts it as a new group would, as Kafka deletes a
 * deleted topic's committed offsets.
 */
class GroupOffsetsAcrossTopicDeletionTest {

    static OneNode one;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("incarnation-1", 26300, 0, "");
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String createTopic(String t) {
        Http.Reply r = http.put("/topics/" + t, "{\"queues\": 1}");
        assertEquals(201, r.status(), r.toString());
        return t;
    }

    static void send(String t, String... bodies) {
        for (String b : bodies) assertEquals(201, http.post("/topics/" + t + "/messages", b.getBytes()).status());
    }

    static Http.Reply commit(String group, String t, long offset) {
        return http.post("/groups/" + group + "/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": " + offset + "}");
    }

    static JsonNode pull(String group, String t, String consumer) {
        Http.Reply r = http.post("/groups/" + group + "/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"" + consumer + "\"}");
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    /** A topic with three messages the group {@code group} committed, deleted and created again. */
    static String recreatedAfterCommittingThree(String group) {
        String t = createTopic("gd" + topics.incrementAndGet());
        send(t, "old0", "old1", "old2");
        assertEquals(200, commit(group, t, 3).status());
        assertEquals(200, http.delete("/topics/" + t).status());
        return createTopic(t);
    }

    @Test
    void aReCreatedTopicIsConsumedFromItsFirstMessageDespiteTheOldCommit() {
        String t = recreatedAfterCommittingThree("g1");
        send(t, "new1", "new2", "new3", "new4");
        JsonNode got = pull("g1", t, "c1").path("messages");
        assertEquals(4, got.size(), got.toString());
        assertEquals("new1", got.get(0).path("body").asText());
        assertEquals(0, got.get(0).path("offset").asLong());
    }

    @Test
    void aConsumerThatPulledTheOldTopicStartsTheNewOneFromItsFirstMessage() {
        String t = createTopic("gd" + topics.incrementAndGet());
        send(t, "old0", "old1", "old2");
        assertEquals(3, pull("g2", t, "c1").path("messages").size());
        assertEquals(200, http.delete("/topics/" + t).status());
        createTopic(t);
        send(t, "new1");
        JsonNode got = pull("g2", t, "c1").path("messages");
        assertEquals(1, got.size(), "the consumer's position in the old topic does not carry over: " + got);
        assertEquals("new1", got.get(0).path("body").asText());
    }

    @Test
    void theGroupShowsNoOffsetOfTheDeletedTopic() {
        String t = recreatedAfterCommittingThree("g3");
        send(t, "new1");
        Http.Reply before = http.get("/groups/g3");
        assertEquals(404, before.status(), "the group's only offset went with the old topic: " + before);
        pull("g3", t, "c1");
        JsonNode q0 = http.get("/groups/g3").json().path("topics").get(0).path("queues").get(0);
        assertEquals(-1, q0.path("committed").asLong(), q0.toString());
        assertEquals(1, q0.path("maxOffset").asLong(), q0.toString());
        assertEquals(1, q0.path("lag").asLong(), q0.toString());
    }

    @Test
    void aCommitBeyondTheReCreatedTopicsEndIsRefused() {
        String t = recreatedAfterCommittingThree("g4");
        send(t, "new1");
        Http.Reply beyond = commit("g4", t, 3);
        assertEquals(400, beyond.status(), beyond.toString());
        assertEquals("offset_out_of_range", beyond.json().path("error").asText());
        assertTrue(beyond.json().path("detail").asText().contains("is 1"), beyond.toString());
        assertEquals(200, commit("g4", t, 1).status());
        assertEquals(1, http.get("/groups/g4").json().path("topics").get(0).path("queues").get(0).path("committed").asLong());
    }

    /**
     * A group stream that owns no queue reads nothing, so it cannot hear of a deletion from a queue: the group tells
     * it that its topic was replaced, and the stream ends instead of waiting on an incarnation that is gone.
     */
    @Test
    void aGroupStreamOnATopicDeletedAndCreatedAgainEndsWithAnErrorLine() throws Exception {
        String t = createTopic("replaced-under-stream");
        String g = "g-replaced";
        pull(g, t, "owner");   // one queue: the stream's consumer below owns none
        try (StreamClient s = new StreamClient(one.node().httpPort(), "/groups/" + g + "/stream?topic=" + t + "&consumer=idle", 0)) {
            Thread.sleep(500);
            assertEquals(200, http.delete("/topics/" + t).status());
            createTopic(t);
            pull(g, t, "owner");   // the group now knows the new incarnation
            JsonNode error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.readMessageLine());
            assertEquals("topic_not_found", error.path("error").asText(), error.toString());
            assertEquals(null, s.readMessageLine(), "then the stream ends");
        }
    }
}
