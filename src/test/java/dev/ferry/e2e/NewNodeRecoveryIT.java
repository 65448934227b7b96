package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #5 point 7 (d): three node processes hold a topic's data; a fourth node joins and the balancer moves replica
 * copies onto it, which copy their logs from the masters by peer recovery with the throttle held: the node-wide
 * byte-rate cap (1 MiB/s here) and one incoming recovery at a time. Checked on the new node's own account of its
 * recoveries (GET /cluster/recoveries). HTTP 28480-28483, Akka 26950-26953.
 */
class NewNodeRecoveryIT {

    static final String TOPIC = "grow";
    static final int QUEUES = 4;
    static final int MESSAGES_PER_QUEUE = 2_000;
    static final long CAP = 1 << 20;
    static final long CHUNK = 128 << 10;
    static final String THROTTLED = MasterKillsIT.FAST_FAILOVER + """
            ferry.replication.recovery.max-bytes-per-sec = %d
            ferry.replication.recovery.chunk-size = %d
            ferry.replication.recovery.min-lag-records = 256
            ferry.allocation.node-concurrent-incoming-recoveries = 1
            """.formatted(CAP, CHUNK);

    static NodeProcesses cluster;

    @BeforeAll
    static void startThreeOfFourNodes() throws Exception {
        cluster = new NodeProcesses(NodeProcesses.ROOT.resolve("target/e2e-grow"), 4, 28480, 26950, THROTTLED);
        for (int i = 0; i < 3; i++) cluster.start(i);
        for (int i = 0; i < 3; i++) cluster.awaitHealthy(i, 3, 120);
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aJoiningNodeReceivesCopiesByThrottledPeerRecovery() throws Exception {
        HttpResponse<String> created = cluster.send("PUT", 0, "/topics/" + TOPIC, "application/json",
                "{\"queues\": " + QUEUES + ", \"replicas\": 1}");
        assertEquals(201, created.statusCode(), created.body());
        cluster.awaitInSync(TOPIC, 120);
        String body = "r".repeat(1024);
        for (int q = 0; q < QUEUES; q++) {
            for (int sent = 0; sent < MESSAGES_PER_QUEUE; sent += 500) {
                ObjectNode batch = NodeProcesses.JSON.createObjectNode();
                ArrayNode messages = batch.putArray("messages");
                for (int k = 0; k < 500; k++) messages.addObject().put("body", body).put("queue", q);
                HttpResponse<String> r = cluster.send("POST", q % 3, "/topics/" + TOPIC + "/messages:batch", "application/json", batch.toString());
                assertEquals(201, r.statusCode(), r.body());
            }
        }
        cluster.awaitInSync(TOPIC, 120);

        int newNode = 3;
        String newName = NodeProcesses.name(newNode);
        cluster.note("starting " + newName);
        cluster.start(newNode);
        for (int i = 0; i < 4; i++) cluster.awaitHealthy(i, 4, 120);

        // The balancer gives the new node its share (8 copies over 4 nodes: 2); they recover and join the in-sync set.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Set<String> onNewNode = new HashSet<>();
        while (true) {
            onNewNode.clear();
            JsonNode states = cluster.queueStates(TOPIC);
            boolean allInSync = states != null;
            for (JsonNode q : states == null ? NodeProcesses.JSON.createArrayNode() : states) {
                for (JsonNode c : q.path("copies")) {
                    allInSync &= c.path("inSync").asBoolean(false);
                    if (newName.equals(c.path("node").asText())) onNewNode.add(q.path("queue").asInt() + "/" + c.path("copy").asInt());
                }
            }
            if (allInSync && onNewNode.size() >= 2) break;
            if (System.nanoTime() > deadline) fail("the new node did not get 2 in-sync copies in 180 s: " + states + "; logs in " + cluster.home());
            Thread.sleep(500);
        }

        HttpResponse<String> r = cluster.send("GET", newNode, "/cluster/recoveries", null, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode recoveries = NodeProcesses.JSON.readTree(r.body());
        Files.writeString(cluster.home().resolve("recoveries-" + newName + ".json"), r.body());
        List<JsonNode> incoming = new java.util.ArrayList<>();
        for (JsonNode rec : recoveries.path("recoveries")) {
            if ("incoming".equals(rec.path("direction").asText()) && rec.path("bytes").asLong() > 0) incoming.add(rec);
        }
        assertTrue(incoming.size() >= onNewNode.size(), "each copy on the new node came by peer recovery: " + r.body());
        assertTrue(recoveries.path("incoming").path("maxActive").asInt() <= 1, "more than one incoming recovery at a time: " + r.body());
        long bytes = 0;
        long tookMs = 0;
        for (JsonNode rec : incoming) {
            bytes += rec.path("bytes").asLong();
            tookMs += rec.path("tookMs").asLong();
        }
        assertTrue(bytes >= MESSAGES_PER_QUEUE * 1024L, "recovered only " + bytes + " bytes: " + r.body());
        // One recovery at a time, so their durations add up; the cap allows a burst of one chunk per recovery.
        long fastestAllowedMs = (bytes - CHUNK * incoming.size()) * 1000 / CAP;
        String figures = newName + ": " + incoming.size() + " incoming recoveries, " + bytes + " bytes in " + tookMs + " ms = "
                + (tookMs == 0 ? "-" : (bytes * 1000 / tookMs / 1024) + " KiB/s") + " (cap " + CAP / 1024 + " KiB/s), max "
                + recoveries.path("incoming").path("maxActive").asInt() + " at a time, throttled "
                + recoveries.path("throttledMs").asLong() + " ms\n";
        Files.writeString(cluster.home().resolve("report.txt"), figures);
        System.out.println(figures);
        assertTrue(tookMs >= fastestAllowedMs * 9 / 10, "recoveries faster than the cap allows: " + figures);
    }
}
