package dev.ferry.http;

import dev.ferry.node.FerryNode;
import dev.ferry.node.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An NDJSON send stream is a long-lived producer connection: only each line is bounded (by max-message-size), never
 * the whole stream. The node here caps request entities at 256 KiB and a stream sends about four times that.
 */
class NdjsonStreamSizeTest {

    static Path dir;
    static FerryNode node;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        dir = TestNodes.tempDir("ferry-ndjson");
        node = FerryNode.start(TestNodes.config("ndjson-1", 25527, 0, dir, "akka.http.server.parsing.max-content-length = 256k"));
        http = new Http(node.httpPort());
        for (int i = 0; i < 200 && http.get("/health").status() != 200; i++) Thread.sleep(100);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.shutdown();
        TestNodes.deleteRecursively(dir);
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
}
