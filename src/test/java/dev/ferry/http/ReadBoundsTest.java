package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one read or pull returns at its bounds (docs/http-api.md, "Reading"): the byte budget
 * (ferry.http.max-bytes-per-read, here 64 KiB: three 20 KiB messages fit, a fourth does not) and offsets at or
 * beyond the end of the queue.
 */
class ReadBoundsTest {

    static final int KIB_20 = 20 * 1024;
    static OneNode one;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("bounds-1", 25541, 0, "ferry.http.max-bytes-per-read = 64 KiB\nferry.topic.max-message-size = 256 KiB");
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String newTopic() {
        String t = "rb" + topics.incrementAndGet();
        Http.Reply r = http.put("/topics/" + t, "{\"queues\": 1}");
        assertEquals(201, r.status(), r.toString());
        return t;
    }

    /** Sends one message per size, in order, each body that many 'x's. */
    static void send(String topic, int... sizes) {
        List<String> messages = new ArrayList<>();
        for (int size : sizes) messages.add("{\"body\": \"" + "x".repeat(size) + "\"}");
        Http.Reply r = http.post("/topics/" + topic + "/messages:batch", "{\"messages\": [" + String.join(",", messages) + "]}");
        assertEquals(201, r.status(), r.toString());
    }

    static int[] times(int n, int size) {
        int[] sizes = new int[n];
        java.util.Arrays.fill(sizes, size);
        return sizes;
    }

    static JsonNode read(String topic, String query) {
        Http.Reply r = http.get("/topics/" + topic + "/queues/0/messages?" + query);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    static List<Long> offsets(JsonNode messages) {
        List<Long> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("offset").asLong()));
        return out;
    }

    // ---------------------------------------------------------------- the byte budget

    @Test
    void aReadStopsBeforeTheMessageThatWouldPassTheByteBudget() {
        String t = newTopic();
        send(t, times(10, KIB_20));
        JsonNode r = read(t, "offset=0&max=1024");
        assertEquals(List.of(0L, 1L, 2L), offsets(r.path("messages")));
        assertEquals(3, r.path("nextOffset").asLong(), "nextOffset follows the last message returned");
    }

    @Test
    void aMessageLargerThanTheByteBudgetIsStillDeliveredAlone() {
        String t = newTopic();
        send(t, 100 * 1024, 10);
        JsonNode first = read(t, "offset=0&max=1024");
        assertEquals(List.of(0L), offsets(first.path("messages")));
        assertEquals(100 * 1024, first.path("messages").get(0).path("body").asText().length());
        assertEquals(1, first.path("nextOffset").asLong());
        assertEquals(List.of(1L), offsets(read(t, "offset=1&max=1024").path("messages")));
    }

    @Test
    void maxBytesLowersTheBudgetButCannotRaiseIt() {
        String t = newTopic();
        send(t, times(10, KIB_20));
        assertEquals(List.of(0L), offsets(read(t, "offset=0&max=1024&maxBytes=1").path("messages")));
        assertEquals(3, read(t, "offset=0&max=1024&maxBytes=104857600").path("messages").size());
    }

    @Test
    void aGroupPullStopsAtTheByteBudgetAndTheNextPullContinuesAfterIt() {
        String t = newTopic();
        send(t, times(10, KIB_20));
        String pull = "{\"topic\": \"" + t + "\", \"consumer\": \"c1\", \"max\": 1024}";
        Http.Reply first = http.post("/groups/g-" + t + "/pull", pull);
        assertEquals(200, first.status(), first.toString());
        assertEquals(List.of(0L, 1L, 2L), offsets(first.json().path("messages")));
        assertEquals(List.of(3L, 4L, 5L), offsets(http.post("/groups/g-" + t + "/pull", pull).json().path("messages")));
    }

    // ---------------------------------------------------------------- offsets at and beyond the end

    @Test
    void aReadInsideTheQueueSaysFound() {
        String t = newTopic();
        send(t, times(6, 10));
        assertEquals("found", read(t, "offset=2").path("status").asText());
    }

    @Test
    void aReadAtMaxOffsetSaysSoAndContinuesThere() {
        String t = newTopic();
        send(t, times(6, 10));
        JsonNode r = read(t, "offset=6");
        assertEquals("offset_overflow_one", r.path("status").asText());
        assertEquals(6, r.path("nextOffset").asLong());
    }

    @Test
    void aReadPastMaxOffsetSendsTheReaderBackToMaxOffsetWithoutWaiting() {
        String t = newTopic();
        send(t, times(6, 10));
        long started = System.nanoTime();
        JsonNode r = read(t, "offset=100&waitMs=2000");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals("offset_overflow_badly", r.path("status").asText());
        assertEquals(6, r.path("maxOffset").asLong());
        assertEquals(6, r.path("nextOffset").asLong(), "a reader following nextOffset must not skip offsets 6..99");
        assertEquals(0, r.path("messages").size());
        assertTrue(tookMs < 1500, "an offset past the end is no place to wait at, took " + tookMs + " ms");
    }
}
