package dev.ferry.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry.max-queue-copies-per-node} (ES's {@code cluster.max_shards_per_node}) on a one-node cluster capped at 10
 * queue copies: a topic creation, an auto-create or a settings change that would pass the cap is refused with 400 and
 * changes nothing; what fits goes through; the cap is a dynamic cluster setting.
 */
class CopyLimitTest {

    private static OneNode one;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("cap-1", 25532, 0, "ferry.max-queue-copies-per-node = 10");
        http = one.http();
        assertEquals(201, http.put("/topics/fits", "{\"queues\": 8}").status());
    }

    @AfterAll
    static void stop() {
        one.close();
    }

    private static void assertRefused(Http.Reply r) {
        assertEquals(400, r.status(), r.text());
        assertEquals("copy_limit_exceeded", r.json().path("error").asText(), r.text());
        assertTrue(r.json().path("detail").asText().contains("ferry.max-queue-copies-per-node"), r.text());
    }

    @Test
    void creatingATopicPastTheCapIsRefusedAndCreatesNothing() {
        assertRefused(http.put("/topics/too-many", "{\"queues\": 4}"));
        assertEquals(404, http.get("/topics/too-many").status());
    }

    @Test
    void raisingReplicasPastTheCapIsRefusedAndKeepsTheOldValue() {
        assertRefused(http.patch("/topics/fits/settings", "{\"replicas\": 1}"));
        assertEquals(0, http.get("/topics/fits").json().path("replicas").asInt());
    }

    @Test
    void anAutoCreatedTopicPastTheCapIsRefusedAndCreatesNothing() {
        assertRefused(http.post("/topics/auto-too-many/messages", "x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(404, http.get("/topics/auto-too-many").status());
    }

    @Test
    void aTopicThatFitsUnderTheRaisedCapIsCreated() {
        assertEquals(200, http.put("/cluster/settings", "{\"persistent\": {\"ferry.max-queue-copies-per-node\": 20}}").status());
        try {
            Http.Reply created = http.put("/topics/after-raise", "{\"queues\": 2}");
            assertEquals(201, created.status(), created.text());
        } finally {
            http.put("/cluster/settings", "{\"persistent\": {\"ferry.max-queue-copies-per-node\": null}}");
            http.delete("/topics/after-raise");
        }
    }
}
