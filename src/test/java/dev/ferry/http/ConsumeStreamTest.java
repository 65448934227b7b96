package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.node.FerryNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming consume over real sockets (docs/http-api.md, "Streaming consume"): NDJSON lines as messages arrive,
 * back-pressured by the client's reading, stopped by the client hanging up.
 */
class ConsumeStreamTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static OneNode one;
    static FerryNode node;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        // Short long-polls and keep-alives so hang-ups and idle streams show within a test's patience.
        one = OneNode.start("stream-1", 26200, 26250, "ferry.http.max-wait = 2s\nferry.http.stream-keep-alive = 500ms\nferry.consumer.session-timeout = 6s\n"
                        // No send-buffer autotuning (up to 4 MiB here): what a slow client leaves on the node is then
                        // this buffer plus what the stream holds, and the test can tell the two apart.
                        + "akka.http.server.socket-options.so-send-buffer-size = 64k");
        node = one.node();
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String newTopic(int queues) {
        String t = "s" + topics.incrementAndGet();
        assertEquals(201, http.put("/topics/" + t, "{\"queues\": " + queues + "}").status());
        return t;
    }

    static JsonNode json(String line) throws Exception {
        assertNotNull(line, "the stream ended early");
        return JSON.readTree(line);
    }

    /** A series of /metrics, summed over its label values when {@code label} is null. */
    static double metric(String name, String label) {
        double sum = 0;
        Pattern p = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(http.get("/metrics").text());
        while (m.find()) if (label == null || m.group(1).contains(label)) sum += Double.parseDouble(m.group(2));
        return sum;
    }

    static void sendBatch(String t, int queue, int count, String body, String tags) {
        StringBuilder b = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < count; i++) {
            if (i > 0) b.append(',');
            b.append("{\"body\": \"").append(body).append("\", \"queue\": ").append(queue);
            if (tags != null) b.append(", \"tags\": \"").append(tags).append('"');
            b.append('}');
        }
        Http.Reply r = http.post("/topics/" + t + "/messages:batch", b.append("]}").toString());
        assertEquals(201, r.status(), r.toString());
    }

    /** Waits until {@code metric} has not changed for a second (at most 15 s) and returns it. */
    static double settled(String name, String label) throws InterruptedException {
        double last = metric(name, label);
        for (int i = 0; i < 15; i++) {
            Thread.sleep(1000);
            double now = metric(name, label);
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    // ---------------------------------------------------------------- one queue

    @Test
    void messagesSentAfterTheStreamStartedArriveAsNdjsonLines() throws Exception {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", "before".getBytes());
        try (StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream", 0)) {
            assertEquals(200, s.status());
            assertTrue(s.headers().contains("content-type: application/x-ndjson"), s.headers());
            assertEquals("before", json(s.readMessageLine()).path("body").asText());
            for (int i = 0; i < 3; i++) http.post("/topics/" + t + "/messages", ("after-" + i).getBytes());
            for (int i = 0; i < 3; i++) {
                JsonNode m = json(s.readMessageLine());
                assertEquals("after-" + i, m.path("body").asText());
                assertEquals(i + 1, m.path("offset").asLong());
                assertEquals(0, m.path("queue").asInt());
            }
        }
    }

    @Test
    void aStreamStartsAtTheOffsetAndCarriesOnlyTheTaggedMessages() throws Exception {
        String t = newTopic(1);
        for (int i = 0; i < 6; i++) http.post("/topics/" + t + "/messages", ("m" + i).getBytes(), "Ferry-Tags", i % 2 == 0 ? "A" : "B");
        try (StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream?offset=1&tags=B", 0)) {
            assertEquals("m1", json(s.readMessageLine()).path("body").asText());
            assertEquals("m3", json(s.readMessageLine()).path("body").asText());
            assertEquals("m5", json(s.readMessageLine()).path("body").asText());
            http.post("/topics/" + t + "/messages", "late-A".getBytes(), "Ferry-Tags", "A");
            http.post("/topics/" + t + "/messages", "late-B".getBytes(), "Ferry-Tags", "B");
            JsonNode late = json(s.readMessageLine());
            assertEquals("late-B", late.path("body").asText());
            assertEquals(7, late.path("offset").asLong());
        }
    }

    @Test
    void anIdleStreamWritesBlankKeepAliveLines() throws Exception {
        String t = newTopic(1);
        try (StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream", 0)) {
            assertEquals("", s.readLine(), "nothing to send: a blank line (ferry.http.stream-keep-alive)");
        }
    }

    @Test
    void aSlowClientHoldsTheNodeToAFewReadsAhead() throws Exception {
        String t = newTopic(1);
        String body = "x".repeat(16 * 1024);
        int backlog = 320;
        for (int i = 0; i < backlog / 160; i++) sendBatch(t, 0, 160, body, null);
        double before = metric("ferry_consume_stream_reads_total", "kind=\"queue\"");
        int perRead = 4;
        // 5 MiB of backlog, 80 reads of 4 if the node read ahead without limit; the client does not read at all.
        try (StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream?max=" + perRead, 4096)) {
            assertEquals(200, s.status());
            double issued = settled("ferry_consume_stream_reads_total", "kind=\"queue\"") - before;
            assertTrue(issued >= 1, "the stream reads");
            System.out.println("slow client: " + issued + " reads issued of " + backlog / perRead);
            assertTrue(issued <= 12, "a client that does not read holds the node to a few reads ahead (64 KiB of socket "
                    + "buffers on each side, about 4 reads, and the stream's pipeline), not the whole backlog: " + issued + " reads of " + backlog / perRead);
            // Now the client reads: everything arrives, in order, and the reads follow its pace.
            for (int i = 0; i < backlog; i++) {
                JsonNode m = json(s.readMessageLine());
                assertEquals(i, m.path("offset").asLong());
            }
            double total = metric("ferry_consume_stream_reads_total", "kind=\"queue\"") - before;
            assertTrue(total >= backlog / perRead, "every message came through a read of at most " + perRead + ": " + total);
        }
    }

    @Test
    void closingTheClientStopsTheReads() throws Exception {
        String t = newTopic(1);
        // Streams of earlier tests end as the node notices their hang-ups; start from none.
        for (int i = 0; i < 100 && metric("ferry_consume_streams", "kind=\"queue\"") > 0; i++) Thread.sleep(100);
        double open = metric("ferry_consume_streams", "kind=\"queue\"");
        assertEquals(0, open, "every earlier stream ended with its client");
        StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream", 0);
        assertEquals(200, s.status());
        assertEquals(open + 1, metric("ferry_consume_streams", "kind=\"queue\""), "the stream is open");
        s.close();
        for (int i = 0; i < 100 && metric("ferry_consume_streams", "kind=\"queue\"") > open; i++) Thread.sleep(100);
        assertEquals(open, metric("ferry_consume_streams", "kind=\"queue\""), "the node noticed the hang-up");
        double reads = metric("ferry_consume_stream_reads_total", "kind=\"queue\"");
        Thread.sleep(5000); // more than two long polls (ferry.http.max-wait = 2 s here)
        assertEquals(reads, metric("ferry_consume_stream_reads_total", "kind=\"queue\""), "no read after the hang-up");
    }

    @Test
    void streamErrorsAreClear4xxBeforeTheStreamStarts() throws Exception {
        String t = newTopic(2);
        record Case(String path, int status, String error) {}
        for (Case c : List.of(
                new Case("/topics/no-such-topic/queues/0/messages:stream", 404, "topic_not_found"),
                new Case("/topics/" + t + "/queues/2/messages:stream", 404, "queue_not_found"),
                new Case("/topics/" + t + "/queues/0/messages:stream?offset=-1", 400, "invalid_parameter"),
                new Case("/topics/" + t + "/queues/0/messages:stream?max=100000", 400, "invalid_parameter"),
                new Case("/groups/g/stream", 400, "invalid_parameter"),
                new Case("/groups/g/stream?topic=" + t + "&commit=sometimes", 400, "invalid_parameter"),
                new Case("/groups/bad.group/stream?topic=" + t, 400, "invalid_group_name"),
                new Case("/groups/g/stream?topic=no-such-topic", 404, "topic_not_found"))) {
            try (StreamClient s = new StreamClient(node.httpPort(), c.path(), 0)) {
                String body = s.readAll();
                assertEquals(c.status(), s.status(), c.path() + " -> " + body);
                JsonNode j = JSON.readTree(body);
                assertEquals(c.error(), j.path("error").asText(), body);
                assertFalse(j.path("detail").asText().isEmpty(), body);
            }
        }
    }

    @Test
    void deletingTheTopicEndsTheStreamWithAnErrorLine() throws Exception {
        String t = newTopic(1);
        try (StreamClient s = new StreamClient(node.httpPort(), "/topics/" + t + "/queues/0/messages:stream", 0)) {
            assertEquals(200, http.delete("/topics/" + t).status());
            JsonNode error = json(s.readMessageLine());
            assertEquals("topic_not_found", error.path("error").asText(), error.toString());
            assertEquals(null, s.readMessageLine(), "then the stream ends");
        }
    }

    // ---------------------------------------------------------------- a group's consumer

    @Test
    void aGroupStreamDeliversEveryQueueOnceAndAutoCommitsWhatTheClientTook() throws Exception {
        String t = newTopic(2);
        sendBatch(t, 0, 5, "q0", null);
        sendBatch(t, 1, 5, "q1", null);
        String g = "gs-" + t;
        try (StreamClient s = new StreamClient(node.httpPort(), "/groups/" + g + "/stream?topic=" + t + "&consumer=c1&commit=auto", 0)) {
            assertEquals(200, s.status());
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                JsonNode m = json(s.readMessageLine());
                seen.add(m.path("queue").asInt() + "/" + m.path("offset").asLong());
            }
            sendBatch(t, 1, 3, "later", null);
            for (int i = 0; i < 3; i++) {
                JsonNode m = json(s.readMessageLine());
                assertEquals("later", m.path("body").asText());
                seen.add(m.path("queue").asInt() + "/" + m.path("offset").asLong());
            }
            assertEquals(13, seen.stream().distinct().count(), "each message once: " + seen);
            long lag = -1;
            for (int i = 0; i < 100 && lag != 0; i++) {
                Thread.sleep(100);
                JsonNode queues = http.get("/groups/" + g).json().path("topics").get(0).path("queues");
                lag = queues.get(0).path("lag").asLong() + queues.get(1).path("lag").asLong();
            }
            assertEquals(0, lag, "commit=auto committed everything the client took");
        }
    }

    @Test
    void aGroupStreamWithManualCommitsLeavesTheOffsetsToTheClient() throws Exception {
        String t = newTopic(1);
        sendBatch(t, 0, 4, "m", null);
        String g = "gm-" + t;
        try (StreamClient s = new StreamClient(node.httpPort(), "/groups/" + g + "/stream?topic=" + t + "&consumer=c1", 0)) {
            for (int i = 0; i < 4; i++) assertEquals(i, json(s.readMessageLine()).path("offset").asLong());
            assertEquals(200, http.post("/groups/" + g + "/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 2}").status());
        }
        Thread.sleep(500);
        assertEquals(2, http.get("/groups/" + g).json().path("topics").get(0).path("queues").get(0).path("committed").asLong(),
                "only the client's commit counts");
    }

    @Test
    void aConsumerThatOwnsNoQueueWaitsBetweenPullsInsteadOfSpinning() throws Exception {
        String t = newTopic(1);
        String g = "/groups/idle-" + t + "/stream?topic=" + t + "&consumer=";
        try (StreamClient a = new StreamClient(node.httpPort(), g + "a", 0);
             StreamClient b = new StreamClient(node.httpPort(), g + "b", 0)) {
            assertEquals(200, a.status());
            assertEquals(200, b.status());
            double before = metric("ferry_consume_stream_reads_total", "kind=\"group\"");
            Thread.sleep(3000);
            double pulls = metric("ferry_consume_stream_reads_total", "kind=\"group\"") - before;
            // Long polls of 2 s (a third of the 6 s session timeout here): a couple of pulls each, not thousands.
            assertTrue(pulls <= 10, pulls + " pulls in 3 s by two consumers of a one-queue topic");
            sendBatch(t, 0, 1, "one", null);
            assertEquals("one", json(a.readMessageLine()).path("body").asText(), "a (first by name) owns the queue");
        }
    }
}
