package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which groups GET /groups/{group} knows (docs/http-api.md, "Consumer groups"): those with live consumers or committed
 * offsets, as Kafka lists no empty group without offsets. Consumers live in memory only, so a group whose consumers
 * went silent without committing is what a restart leaves of any group that never committed.
 */
class GroupListingTest {

    static OneNode one;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("listing-1", 26302, 0, "ferry.consumer.session-timeout = 2s");
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String newTopic() {
        String t = "l" + topics.incrementAndGet();
        assertEquals(201, http.put("/topics/" + t, "{\"queues\": 1}").status());
        assertEquals(201, http.post("/topics/" + t + "/messages", "m".getBytes()).status());
        return t;
    }

    static void pull(String group, String t) {
        assertEquals(200, http.post("/groups/" + group + "/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c1\"}").status());
    }

    @Test
    void aGroupWhoseConsumersWentSilentWithoutCommittingIsNotFoundAndSaysSo() throws Exception {
        String t = newTopic();
        pull("silent", t);
        assertEquals("c1", http.get("/groups/silent").json().path("topics").get(0).path("consumers").get(0).path("consumer").asText());
        Thread.sleep(2500); // past the session timeout (2 s here)
        Http.Reply gone = http.get("/groups/silent");
        assertEquals(404, gone.status(), gone.toString());
        assertEquals("group_not_found", gone.json().path("error").asText());
        assertTrue(gone.json().path("detail").asText().contains("has no committed offsets and no live consumers"), gone.toString());
    }

    @Test
    void aGroupWithCommittedOffsetsStaysKnownAfterItsConsumersWentSilent() throws Exception {
        String t = newTopic();
        pull("kept", t);
        assertEquals(200, http.post("/groups/kept/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 1}").status());
        Thread.sleep(2500);
        JsonNode topic = http.get("/groups/kept").json().path("topics").get(0);
        assertEquals(0, topic.path("consumers").size(), topic.toString());
        assertEquals(1, topic.path("queues").get(0).path("committed").asLong(), topic.toString());
    }
}
