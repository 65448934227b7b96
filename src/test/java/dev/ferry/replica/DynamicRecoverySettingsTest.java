package dev.ferry.replica;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.http.Http;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recovery throttle as a dynamic cluster setting (ES {@code indices.recovery.max_bytes_per_sec}): PUT
 * /cluster/settings on one node changes every node's token bucket, a null resets each node to its own configured value,
 * an invalid value changes nothing, and a recovery already streaming follows a raised limit. Two nodes in one JVM
 * ({@link InJvmCluster}, free ports), configured with different rates (3m and 5m) so a reset shows whose default applies.
 */
class DynamicRecoverySettingsTest {

    static final String RATE = RecoverySettings.MAX_BYTES_PER_SEC;
    static final String CHUNK = RecoverySettings.CHUNK_SIZE;
    static final long[] CONFIGURED_RATE = {3L << 20, 5L << 20};
    static final int CONFIGURED_CHUNK = 64 << 10;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = InJvmCluster.start("dr", 2, true, i -> String.join("\n",
                "ferry.replication.recovery.max-bytes-per-sec = " + (i == 0 ? "3m" : "5mb"),
                "ferry.replication.recovery.chunk-size = 64k",
                "ferry.replication.recovery.min-lag-records = 100",
                "ferry.replication.recovery.retry-delay = 200ms",
                "ferry.replication.probe-interval = 200ms",
                "ferry.journal.segment-size = 8m"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
        cluster = null;
    }

    @AfterEach
    void resetToTheConfiguredValues() throws InterruptedException {
        assertEquals(200, put(0, "{\"persistent\": {\"" + RATE + "\": null, \"" + CHUNK + "\": null}}").status());
        eventually(() -> rate(0) == CONFIGURED_RATE[0] && rate(1) == CONFIGURED_RATE[1]
                && recoveries(0).settings().chunkSize() == CONFIGURED_CHUNK && recoveries(1).settings().chunkSize() == CONFIGURED_CHUNK);
    }

    static NodeRecoveries recoveries(int i) {
        return NodeRecoveries.get(cluster.node(i).system());
    }

    static long rate(int i) {
        return recoveries(i).bucket().bytesPerSecond();
    }

    static Http http(int i) {
        return new Http(cluster.node(i).httpPort());
    }

    static Http.Reply put(int i, String body) {
        return http(i).put("/cluster/settings", body);
    }

    static Http.Reply putRate(String jsonValue) {
        return put(0, "{\"persistent\": {\"" + RATE + "\": " + jsonValue + "}}");
    }

    static void eventually(java.util.function.Supplier<Boolean> condition) throws InterruptedException {
        InJvmCluster.eventually(10_000, condition, () -> "rates " + rate(0) + " / " + rate(1));
    }

    @Test
    void aPutOfMaxBytesPerSecChangesEveryNodesRecoveryRate() throws Exception {
        Http.Reply r = putRate("\"8mb\"");
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.json().path("acknowledged").asBoolean(), r.toString());
        eventually(() -> rate(0) == 8L << 20 && rate(1) == 8L << 20);
        assertEquals("8mb", http(1).get("/cluster/settings").json().path("persistent").path(RATE).asText());
        assertEquals(8L << 20, http(1).get("/cluster/recoveries").json().path("maxBytesPerSec").asLong());
    }

    @Test
    void settingMaxBytesPerSecToMinusOneUnthrottlesEveryNode() throws Exception {
        assertEquals(200, putRate("-1").status());
        eventually(() -> rate(0) == -1 && rate(1) == -1);
        assertEquals(0, recoveries(1).bucket().reserve(1L << 30), "an unthrottled bucket never makes a chunk wait");
    }

    @Test
    void resettingMaxBytesPerSecWithNullReturnsEachNodeToItsConfiguredRate() throws Exception {
        assertEquals(200, putRate("\"8mb\"").status());
        eventually(() -> rate(0) == 8L << 20 && rate(1) == 8L << 20);
        Http.Reply r = put(1, "{\"persistent\": {\"" + RATE + "\": null}}");
        assertEquals(200, r.status(), r.toString());
        eventually(() -> rate(0) == CONFIGURED_RATE[0] && rate(1) == CONFIGURED_RATE[1]);
        JsonNode settings = http(1).get("/cluster/settings").json();
        assertFalse(settings.path("persistent").has(RATE), settings.toString());
        assertEquals("5mb", settings.path("defaults").path(RATE).asText(), "node 2's own configured value is its default");
    }

    @Test
    void aPutOfChunkSizeChangesEveryNodesChunkAndBurst() throws Exception {
        Http.Reply r = put(0, "{\"persistent\": {\"" + CHUNK + "\": \"128kb\"}}");
        assertEquals(200, r.status(), r.toString());
        eventually(() -> recoveries(0).settings().chunkSize() == 128 << 10 && recoveries(1).settings().chunkSize() == 128 << 10
                && recoveries(0).bucket().burstBytes() == 128 << 10 && recoveries(1).bucket().burstBytes() == 128 << 10);
        assertEquals(CONFIGURED_RATE[1], rate(1), "the rate keeps its configured value");
    }

    @Test
    void anInvalidRecoverySettingIsRefusedWith400AndChangesNothing() throws Exception {
        Map<String, String> before = cluster.node(0).services().clusterInfo().dynamicSettings();
        for (String bad : List.of("\"-5\"", "-5", "\"fast\"", "true", "{\"rate\": 1}", "[\"40mb\"]")) {
            // With a valid change beside it: a request with one bad value applies nothing.
            Http.Reply r = put(1, "{\"persistent\": {\"ferry.allocation.total-queues-per-node\": 50, \"" + RATE + "\": " + bad + "}}");
            assertEquals(400, r.status(), bad + " -> " + r);
            assertEquals("invalid_settings", r.json().path("error").asText(), r.toString());
            String detail = r.json().path("detail").asText();
            assertTrue(detail.contains(RATE) && detail.contains("40mb") && detail.contains("-1"), "names the setting and the accepted format: " + detail);
        }
        Http.Reply r = put(0, "{\"persistent\": {\"" + CHUNK + "\": \"64mb\"}}");
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().path("detail").asText().contains("maximum-frame-size"), r.toString());
        Thread.sleep(600); // longer than Distributed Data's notify interval: a change would have reached both nodes
        assertEquals(before, cluster.node(0).services().clusterInfo().dynamicSettings());
        assertEquals(before, cluster.node(1).services().clusterInfo().dynamicSettings());
        assertEquals(CONFIGURED_RATE[0], rate(0));
        assertEquals(CONFIGURED_RATE[1], rate(1));
        assertEquals(CONFIGURED_CHUNK, recoveries(0).settings().chunkSize());
        assertFalse(http(0).get("/cluster/settings").json().path("persistent").has("ferry.allocation.total-queues-per-node"));
    }

    @Test
    void aRecoveryAlreadyStreamingSpeedsUpWhenTheLimitIsRaised() throws Exception {
        String topic = "raised";
        assertEquals(201, http(0).put("/topics/" + topic, "{\"queues\": 1, \"replicas\": 0, \"replication\": \"async\"}").status());
        String body = "x".repeat(1000);
        for (int b = 0; b < 15; b++) {
            StringBuilder batch = new StringBuilder("{\"messages\": [");
            for (int m = 0; m < 100; m++) batch.append(m == 0 ? "" : ",").append("{\"body\": \"").append(body).append("\"}");
            assertEquals(201, http(0).post("/topics/" + topic + "/messages:batch", batch.append("]}").toString()).status());
        }
        // 2 KiB/s: one 64 KiB chunk every 32 s, so even the chunk already waiting must follow the raise to finish in time.
        assertEquals(200, putRate("\"2kb\"").status());
        eventually(() -> rate(0) == 2 << 10 && rate(1) == 2 << 10);
        long[] receivedBefore = {recoveries(0).bucket().grantedBytes(), recoveries(1).bucket().grantedBytes()};
        assertEquals(200, http(0).patch("/topics/" + topic + "/settings", "{\"replicas\": 1}").status());
        int[] replica = {-1};
        InJvmCluster.eventually(30_000, () -> {
            for (int i = 0; i < 2; i++)
                if (recoveries(i).incoming().inUse() == 1 && recoveries(i).bucket().grantedBytes() > receivedBefore[i]) replica[0] = i;
            return replica[0] >= 0;
        });
        // The first chunk has arrived (the burst); the next one waits in the throttle of the node serving it.
        assertEquals(200, putRate("-1").status());
        String pid = topic + "/0";
        InJvmCluster.eventually(15_000, () -> recoveries(replica[0]).records().stream().anyMatch(r -> r.persistenceId().equals(pid)),
                () -> "incoming slots " + recoveries(replica[0]).incoming().inUse());
        List<NodeRecoveries.Record> done = recoveries(replica[0]).records().stream().filter(r -> r.persistenceId().equals(pid)).toList();
        assertEquals(1, done.size(), "the running recovery sped up, none had to start again: " + done);
        assertEquals("completed", done.get(0).outcome());
        assertEquals(1, done.get(0).fromSeq());
        assertEquals(1500, done.get(0).toSeq());
    }
}
