package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer sessions and leaving a group (docs/http-api.md, "Consumer groups"): the node keeps how far each consumer
 * got so a stateless client can pull without committing each time, but a new session of a consumer (a restarted
 * client, a new stream) starts at the committed offsets, and a consumer that leaves hands its queues, with its
 * uncommitted deliveries, to the others at once. The session timeout is the production 30 s, so no timeout stands in
 * for a session change or a leave.
 */
class GroupSessionTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static OneNode one;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("session-1", 26310, 0, "ferry.consumer.session-timeout = 30s");
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    /** A topic of {@code queues} queues with {@code perQueue} messages in each. */
    static String newTopic(int queues, int perQueue) {
        String t = "s" + topics.incrementAndGet();
        assertEquals(201, http.put("/topics/" + t, "{\"queues\": " + queues + "}").status());
        for (int q = 0; q < queues; q++)
            for (int i = 0; i < perQueue; i++)
                assertEquals(201, http.post("/topics/" + t + "/messages", ("m" + i).getBytes(), "Ferry-Queue", Integer.toString(q)).status());
        return t;
    }

    static JsonNode pull(String group, String body) {
        Http.Reply r = http.post("/groups/" + group + "/pull", body);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    /** The "queue/offset" of each message of a pull. */
    static List<String> offsets(JsonNode pull) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : pull.path("messages")) out.add(m.path("queue").asInt() + "/" + m.path("offset").asLong());
        return out;
    }

    static void commit(String group, String topic, int queue, long offset) {
        Http.Reply r = http.post("/groups/" + group + "/commit", "{\"topic\": \"" + topic + "\", \"queue\": " + queue + ", \"offset\": " + offset + "}");
        assertEquals(200, r.status(), r.toString());
    }

    static Http.Reply leave(String group, String body) {
        return http.post("/groups/" + group + "/leave", body);
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void pullsOfOneSessionContinueWhereThePreviousPullEnded() {
        String t = newTopic(1, 6);
        String g = "same-" + t;
        assertEquals(List.of("0/0", "0/1", "0/2"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\", \"max\": 3}")));
        assertEquals(List.of("0/3", "0/4", "0/5"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\", \"max\": 3}")));
    }

    @Test
    void aPullWithANewSessionRestartsTheConsumersQueuesAtTheCommittedOffsets() {
        String t = newTopic(2, 5);
        String g = "restart-" + t;
        assertEquals(10, pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\", \"max\": 50}").path("messages").size());
        commit(g, t, 0, 2);
        // The client "crashed" and runs again under the same consumer id: what it did not commit is delivered again.
        List<String> again = offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s2\", \"max\": 50}"));
        assertEquals(List.of("0/2", "0/3", "0/4", "1/0", "1/1", "1/2", "1/3", "1/4"), again);
    }

    @Test
    void aConsumersFirstPullWithASessionAfterPullsWithoutOneStartsAtTheCommittedOffsets() {
        String t = newTopic(1, 60);
        String g = "nosession-" + t;
        assertEquals(50, pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"max\": 50}").path("messages").size());
        assertEquals(List.of("0/0", "0/1", "0/2"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\", \"max\": 3}")));
    }

    @Test
    void aNewGroupStreamOfAConsumerStartsAtTheCommittedOffsetsNotWhereItsPreviousPullsGot() throws Exception {
        String t = newTopic(1, 10);
        String g = "stream-" + t;
        assertEquals(10, pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"z\", \"max\": 50}").path("messages").size());
        commit(g, t, 0, 4);
        try (StreamClient s = new StreamClient(one.node().httpPort(), "/groups/" + g + "/stream?topic=" + t + "&consumer=z", 0)) {
            assertEquals(200, s.status());
            String first = assertTimeoutPreemptively(Duration.ofSeconds(10), s::readMessageLine, "no message within 10 s");
            assertEquals(4, JSON.readTree(first).path("offset").asLong(), "the stream is a new session of z");
        }
    }

    // ---------------------------------------------------------------- leave

    @Test
    void aConsumerThatLeavesHandsItsQueuesToTheOthersAtOnce() {
        String t = newTopic(2, 0);
        String g = "leave-" + t;
        pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}");
        pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"b\"}");
        assertEquals("[0]", pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}").path("queues").toString());
        Http.Reply left = leave(g, "{\"topic\": \"" + t + "\", \"consumer\": \"b\"}");
        assertEquals(200, left.status(), left.toString());
        assertEquals("[0,1]", pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}").path("queues").toString(),
                "a owns every queue at once (the session timeout is 30 s)");
        JsonNode consumers = http.get("/groups/" + g).json().path("topics").get(0).path("consumers");
        assertEquals(1, consumers.size(), "b is no member any more: " + consumers);
    }

    @Test
    void whatALeavingConsumerGotButDidNotCommitIsDeliveredToTheOthers() {
        String t = newTopic(2, 3);
        String g = "redeliver-" + t;
        pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}");
        assertEquals(List.of("1/0", "1/1", "1/2"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"b\", \"max\": 50}")));
        commit(g, t, 1, 1);
        assertEquals(200, leave(g, "{\"topic\": \"" + t + "\", \"consumer\": \"b\"}").status());
        List<String> a = offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\", \"max\": 50}"));
        assertTrue(a.containsAll(List.of("1/1", "1/2")) && !a.contains("1/0"), "a resumes queue 1 at b's committed offset: " + a);
    }

    @Test
    void leaveAnswersWhetherTheConsumerWasAMember() {
        String t = newTopic(1, 0);
        String g = "answer-" + t;
        pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}");
        JsonNode first = leave(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}").json();
        assertEquals(g, first.path("group").asText(), first.toString());
        assertEquals(t, first.path("topic").asText(), first.toString());
        assertEquals("a", first.path("consumer").asText(), first.toString());
        assertTrue(first.path("left").asBoolean(), first.toString());
        Http.Reply again = leave(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}");
        assertEquals(200, again.status(), "leaving twice is no error: " + again);
        assertFalse(again.json().path("left").asBoolean(), again.toString());
    }

    @Test
    void aLeaveNamingAnEndedSessionDoesNotRemoveTheConsumersNewSession() {
        String t = newTopic(1, 4);
        String g = "oldleave-" + t;
        pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\", \"max\": 1}");
        assertEquals(List.of("0/0"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s2\", \"max\": 1}")));
        JsonNode stale = leave(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s1\"}").json();
        assertFalse(stale.path("left").asBoolean(), stale.toString());
        assertEquals(List.of("0/1"), offsets(pull(g, "{\"topic\": \"" + t + "\", \"consumer\": \"w\", \"session\": \"s2\", \"max\": 1}")),
                "s2 carries on where it was");
    }

    @Test
    void badLeaveRequestsAreRefusedAsForTheOtherGroupRoutes() {
        String t = newTopic(1, 0);
        HttpApiTest.assertError(leave("g", "{\"consumer\": \"c\"}"), 400, "invalid_field");
        HttpApiTest.assertError(leave("g", "{\"topic\": \"" + t + "\"}"), 400, "invalid_field");
        HttpApiTest.assertError(leave("g", "{\"topic\": \"" + t + "\", \"consumer\": 7}"), 400, "invalid_json");
        HttpApiTest.assertError(leave("bad.group", "{\"topic\": \"" + t + "\", \"consumer\": \"c\"}"), 400, "invalid_group_name");
        HttpApiTest.assertError(leave("g", "{\"topic\": \"no-such-topic\", \"consumer\": \"c\"}"), 404, "topic_not_found");
    }

    @Test
    void aBlankSessionIsRefused() {
        String t = newTopic(1, 0);
        HttpApiTest.assertError(http.post("/groups/g/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"session\": \"\"}"), 400, "invalid_field");
    }
}
