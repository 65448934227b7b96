package dev.ferry.http;

import dev.ferry.node.FerryNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An NDJSON send stream is a long-lived producer connection: only each line is bounded (by max-message-size), never
 * the whole stream. The node here caps request entities at 256 KiB and a stream sends about four times that.
 */
class NdjsonStreamSizeTest {

    static OneNode one;
    static FerryNode node;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("ndjson-1", 25527, 0, "akka.http.server.parsing.max-content-length = 256k\nferry.topic.max-message-size = 16k");
        node = one.node();
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    @Test
    void aBatchOverTheRequestSizeLimitIsRefusedWith413NamingTheLimit() {
        assertEquals(201, http.put("/topics/big-batch", "{\"queues\": 1}").status());
        String body = "{\"messages\": [{\"body\": \"" + "x".repeat(300_000) + "\"}]}";
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/big-batch/messages:batch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(413, r.status(), r.toString());
        assertEquals("request_too_large", r.json().path("error").asText(), r.toString());
        assertEquals("the request body is larger than 262144 bytes (akka.http.server.parsing.max-content-length)",
                r.json().path("detail").asText(), r.toString());
    }

    @Test
    void aLineOverTheTopicsOwnLimitButWithinTheNodesLineLimitIsRefusedAndTheStreamGoesOn() {
        assertEquals(201, http.put("/topics/small-messages", "{\"queues\": 1, \"maxMessageSize\": 1000}").status());
        String body = "{\"body\": \"" + "x".repeat(5_000) + "\"}\n{\"body\": \"after\"}\n";
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/small-messages/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.status(), r.toString());
        String[] lines = r.text().split("\n");
        assertEquals(2, lines.length, r.text());
        assertTrue(lines[0].contains("\"error\":\"message_too_large\"") && lines[0].contains("\"status\":413"), lines[0]);
        assertTrue(lines[1].contains("\"offset\":0"), lines[1]);
    }

    @Test
    void aStreamLongerThanTheRequestSizeLimitIsAcknowledgedLineByLine() {
        assertEquals(201, http.put("/topics/long-stream", "{\"queues\": 1}").status());
        String line = "{\"body\": \"" + "x".repeat(1000) + "\"}\n";
        String body = line.repeat(1000);
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/long-stream/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.status(), r.toString());
        String[] acks = r.text().split("\n");
        assertEquals(1000, acks.length, "one ack per line");
        assertTrue(acks[999].contains("\"offset\":999"), acks[999]);
    }

    @Test
    void aLineLongerThanTheLimitEndsTheStreamWithA413LineAfterAnsweringTheLinesBefore() {
        assertEquals(201, http.put("/topics/too-long", "{\"queues\": 1}").status());
        // 16 KiB max-message-size: lines may be 16k * 4/3 + 64 KiB = 87,381 bytes.
        String body = "{\"body\": \"a\"}\r\n\n{\"body\": \"" + "x".repeat(90_000) + "\"}\n{\"body\": \"never\"}\n";
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/too-long/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.status(), r.toString());
        String[] lines = r.text().split("\n");
        assertEquals(2, lines.length, r.text());
        assertTrue(lines[0].contains("\"offset\":0"), lines[0]);
        assertTrue(lines[1].contains("\"error\":\"line_too_long\"") && lines[1].contains("\"status\":413")
                && lines[1].contains("\"line\":3"), lines[1]);
        assertEquals(1, http.get("/topics/too-long/queues/0/messages").json().path("messages").size(), "nothing after the long line");
    }

    @Test
    void linesArriveWhereverTheRequestsChunksBreak() {
        assertEquals(201, http.put("/topics/chunked", "{\"queues\": 1}").status());
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 300; i++) all.append("{\"body\": \"m").append(i).append("\"}\n");
        byte[] bytes = all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.List<byte[]> pieces = new java.util.ArrayList<>();
        for (int at = 0; at < bytes.length; at += 7) pieces.add(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 7)));
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/chunked/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofByteArrays(pieces)));
        assertEquals(200, r.status(), r.toString());
        String[] acks = r.text().split("\n");
        assertEquals(300, acks.length, r.text());
        assertTrue(acks[299].contains("\"offset\":299"), acks[299]);
        assertEquals("m299", http.get("/topics/chunked/queues/0/messages?offset=299").json().path("messages").get(0).path("body").asText());
    }
}
