package dev.ferry.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.http.Http;
import dev.ferry.http.OneNode;
import dev.ferry.node.FerryNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flood-stage disk watermark end to end on a real node over HTTP: the node's real disk probe (its data directory's
 * file system, reported every second here) against watermarks given as free bytes relative to what that disk has free
 * now, so the test moves the watermarks instead of filling the disk.
 */
class FloodStageTest {

    static final long GB = 1L << 30;
    static OneNode one;
    static FerryNode node;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("flood-1", 26201, 26251, "");
        node = one.node();
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static long freeBytes() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            JsonNode disk = http.get("/cluster/nodes").json().path("nodes").get(0).path("disk");
            if (disk.path("totalBytes").asLong() > 0) return disk.path("freeBytes").asLong();
            Thread.sleep(100);
        }
        throw new AssertionError("the node never reported its disk");
    }

    /** Byte watermarks are the free space a node must keep: low >= high >= flood stage. */
    static void watermarks(long low, long high, long flood) {
        Http.Reply r = http.put("/cluster/settings", "{\"persistent\": {"
                + "\"ferry.allocation.disk.watermark.low\": \"" + low + "b\", "
                + "\"ferry.allocation.disk.watermark.high\": \"" + high + "b\", "
                + "\"ferry.allocation.disk.watermark.flood-stage\": \"" + flood + "b\"}}");
        assertEquals(200, r.status(), r.toString());
    }

    static Http.Reply send(String topic) {
        return http.post("/topics/" + topic + "/messages", "m".getBytes());
    }

    static Http.Reply awaitSendStatus(String topic, int status) throws InterruptedException {
        Http.Reply r = send(topic);
        for (int i = 0; i < 150 && r.status() != status; i++) {
            Thread.sleep(100);
            r = send(topic);
        }
        assertEquals(status, r.status(), r.toString());
        return r;
    }

    @Test
    void pastFloodStageTopicsRefuseSendsUntilDiskUseIsBelowHighAgain() throws Exception {
        assertEquals(201, http.put("/topics/flooded", "{\"queues\": 2}").status());
        assertEquals(201, http.put("/topics/doomed", "{\"queues\": 1}").status());
        assertEquals(201, send("flooded").status());
        assertEquals(201, send("doomed").status());
        long free = freeBytes();
        try {
            // The node must keep 10 GiB more free than it has: past the flood stage.
            watermarks(free + 30 * GB, free + 20 * GB, free + 10 * GB);
            Http.Reply refused = awaitSendStatus("flooded", 429);
            JsonNode error = refused.json();
            assertEquals("disk_flood_stage", error.path("error").asText(), refused.toString());
            assertTrue(error.path("detail").asText().contains("flood-1") && error.path("detail").asText().contains("high watermark"), refused.toString());
            assertEquals("true", http.get("/topics/flooded").json().path("settings").path("topic.blocks.read-only-allow-delete").asText());
            assertEquals(429, http.post("/topics/flooded/messages:batch", "{\"messages\": [{\"body\": \"b\"}]}").status(), "batches too");
            Http.Reply stream = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base() + "/topics/flooded/messages:batch"))
                    .header("Content-Type", "application/x-ndjson").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"body\": \"s\"}\n")));
            assertTrue(stream.text().contains("\"error\":\"disk_flood_stage\"") && stream.text().contains("\"status\":429"),
                    "and every line of a send stream: " + stream);
            Http.Reply read = http.get("/topics/flooded/queues/0/messages");
            assertEquals(200, read.status(), read.toString());
            assertTrue(read.json().path("messages").size() >= 1, "reads still work: " + read);
            assertEquals(200, http.delete("/topics/doomed").status(), "deletes still work");

            // Below the flood stage but past high: still read-only (the block lifts only below high, as in ES).
            watermarks(free + 30 * GB, free + 10 * GB, free - 10 * GB);
            Thread.sleep(3000); // three disk report rounds
            assertEquals(429, send("flooded").status(), "past the high watermark the block stays");

            // Below high: it lifts by itself.
            watermarks(free - 10 * GB, free - 20 * GB, free - 30 * GB);
            awaitSendStatus("flooded", 201);
            assertTrue(http.get("/topics/flooded").json().path("settings").path("topic.blocks.read-only-allow-delete").isMissingNode());
        } finally {
            http.put("/cluster/settings", "{\"persistent\": {\"ferry.allocation.disk.watermark.low\": null, "
                    + "\"ferry.allocation.disk.watermark.high\": null, \"ferry.allocation.disk.watermark.flood-stage\": null}}");
        }
    }
}
