package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offsets by time (docs/http-api.md, "Offsets by time"; RocketMQ searchOffset, Kafka offsetsForTimes): the first offset
 * of a queue accepted at or after a moment, per queue or for the whole topic.
 */
class OffsetsByTimeTest {

    private static OneNode one;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("by-time-1", 25545, 0, "");
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    private static long sendTo(String topic, int queue, String body) {
        Http.Reply r = one.http().post("/topics/" + topic + "/messages", body.getBytes(StandardCharsets.UTF_8), "Ferry-Queue", String.valueOf(queue));
        assertEquals(201, r.status(), r.text());
        return r.json().path("offset").asLong();
    }

    private static long bornAt(String topic, int queue, long offset) {
        Http.Reply r = one.http().get("/topics/" + topic + "/queues/" + queue + "/messages?offset=" + offset + "&max=1");
        return r.json().path("messages").get(0).path("bornAt").asLong();
    }

    @Test
    void aQueuesOffsetForATimeIsItsFirstMessageAcceptedThenOrLater() throws Exception {
        assertEquals(201, one.http().put("/topics/by-time", "{\"queues\": 1}").status());
        for (int i = 0; i < 5; i++) sendTo("by-time", 0, "before-" + i);
        Thread.sleep(20); // a later millisecond for what follows
        long first = sendTo("by-time", 0, "after-0");
        for (int i = 1; i < 5; i++) sendTo("by-time", 0, "after-" + i);
        long t = bornAt("by-time", 0, first);
        assertTrue(bornAt("by-time", 0, first - 1) < t);

        JsonNode byMillis = one.http().get("/topics/by-time/queues/0/offset?timestamp=" + t).json();
        assertEquals(first, byMillis.path("offset").asLong(), byMillis.toString());
        assertEquals(10, byMillis.path("maxOffset").asLong(), byMillis.toString());
        JsonNode byIso = one.http().get("/topics/by-time/queues/0/offset?timestamp=" + Instant.ofEpochMilli(t)).json();
        assertEquals(first, byIso.path("offset").asLong(), byIso.toString());
    }

    @Test
    void aTimeAfterTheLastMessageGivesTheEndAndOneBeforeTheFirstGivesTheStart() {
        assertEquals(201, one.http().put("/topics/by-time-ends", "{\"queues\": 1}").status());
        for (int i = 0; i < 3; i++) sendTo("by-time-ends", 0, "m" + i);
        long future = System.currentTimeMillis() + 3_600_000;
        assertEquals(3, one.http().get("/topics/by-time-ends/queues/0/offset?timestamp=" + future).json().path("offset").asLong());
        assertEquals(0, one.http().get("/topics/by-time-ends/queues/0/offset?timestamp=0").json().path("offset").asLong());
    }

    @Test
    void aTopicsOffsetsForATimeListEveryQueue() {
        assertEquals(201, one.http().put("/topics/by-time-all", "{\"queues\": 3}").status());
        sendTo("by-time-all", 0, "a");
        sendTo("by-time-all", 2, "b");
        sendTo("by-time-all", 2, "c");
        JsonNode all = one.http().get("/topics/by-time-all/offsets?timestamp=" + (System.currentTimeMillis() + 60_000)).json();
        assertEquals(3, all.path("queues").size(), all.toString());
        assertEquals(1, all.path("queues").get(0).path("offset").asLong(), all.toString());
        assertEquals(0, all.path("queues").get(1).path("offset").asLong(), all.toString());
        assertEquals(2, all.path("queues").get(2).path("offset").asLong(), all.toString());
    }

    @Test
    void aMissingOrMalformedTimestampIsABadRequestThatSaysWhatIsAccepted() {
        assertEquals(201, one.http().put("/topics/by-time-bad", "{\"queues\": 1}").status());
        for (String q : new String[]{"", "?timestamp=", "?timestamp=yesterday", "?timestamp=-5", "?timestamp=2026-11-23T10:00:00"}) {
            Http.Reply r = one.http().get("/topics/by-time-bad/queues/0/offset" + q);
            assertEquals(400, r.status(), q + ": " + r.text());
            assertEquals("invalid_parameter", r.json().path("error").asText(), r.text());
            assertTrue(r.json().path("detail").asText().contains("ISO-8601"), r.text());
        }
    }

    @Test
    void anUnknownQueueOrTopicIsNotFound() {
        assertEquals(201, one.http().put("/topics/by-time-404", "{\"queues\": 2}").status());
        assertEquals(404, one.http().get("/topics/by-time-404/queues/2/offset?timestamp=0").status());
        assertEquals(404, one.http().get("/topics/no-such-topic-here/offsets?timestamp=0").status());
    }
}
