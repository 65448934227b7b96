package dev.ferry.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.http.Http;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Ferry nodes (three ActorSystems, one JVM, loopback) in zones a, b and c with zone awareness on: topics
 * created on one node are served by all, sends are routed across nodes, and placement follows the allocation core.
 */
class ThreeNodeClusterTest {

    static final List<Http> http = new ArrayList<>();
    static final String[] ZONES = {"a", "b", "c"};
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = InJvmCluster.start("n", 3, true, i -> String.join("\n",
                "ferry.node.attributes.zone = " + ZONES[i],
                "ferry.node.attributes.host = host-" + i,
                "ferry.allocation.awareness.attributes = zone"));
        http.clear();
        for (FerryNode n : cluster.live()) http.add(new Http(n.httpPort()));
        eventually(() -> {
            for (Http h : http) if (h.get("/health").status() != 200) return false;
            return http.get(0).get("/cluster/nodes").json().path("nodes").size() == 3;
        });
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
        cluster = null;
    }

    static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        InJvmCluster.eventually(40_000, condition);
    }

    /** entity -> node, for the copies of {@code topic}, as node 3 sees the placement. */
    static Map<String, String> placement(String topic) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode c : http.get(2).get("/cluster/placement").json().path("copies"))
            if (c.path("topic").asText().equals(topic) && !c.path("type").asText().equals("broker"))
                out.put(c.path("entity").asText(), c.path("node").asText());
        return out;
    }

    @Test
    void aTopicCreatedOnOneNodeTakesSendsOnAnotherAndReadsOnTheThird() throws Exception {
        assertEquals(201, http.get(0).put("/topics/routed", "{\"queues\": 3}").status());
        Http.Reply sent = http.get(1).post("/topics/routed/messages", "across".getBytes(), "Ferry-Queue", "2");
        assertEquals(201, sent.status(), sent.toString());
        JsonNode read = http.get(2).get("/topics/routed/queues/2/messages").json();
        assertEquals("across", read.path("messages").get(0).path("body").asText());
        assertEquals(3, http.get(2).get("/topics/routed").json().path("queueStates").size());
    }

    @Test
    void everyCopyOfAQueueLandsInItsOwnZone() throws Exception {
        assertEquals(201, http.get(0).put("/topics/spread", "{\"queues\": 4, \"replicas\": 2}").status());
        eventually(() -> placement("spread").size() == 12);
        Map<String, String> where = placement("spread");
        Map<String, String> zoneOf = Map.of("n1", "a", "n2", "b", "n3", "c");
        for (int q = 0; q < 4; q++) {
            Set<String> zones = new HashSet<>();
            zones.add(zoneOf.get(where.get("spread/" + q)));
            zones.add(zoneOf.get(where.get("spread/" + q + "/1")));
            zones.add(zoneOf.get(where.get("spread/" + q + "/2")));
            assertEquals(Set.of("a", "b", "c"), zones, "queue " + q + " copies: " + where);
        }
    }

    @Test
    void aRequireFilterKeepsEveryQueueOfATopicInOneZone() throws Exception {
        Http.Reply created = http.get(0).put("/topics/zoned", "{\"queues\": 4, \"settings\": {\"topic.allocation.require.zone\": \"b\"}}");
        assertEquals(201, created.status(), created.toString());
        eventually(() -> placement("zoned").size() == 4);
        assertEquals(Set.of("n2"), new HashSet<>(placement("zoned").values()));
        JsonNode explain = http.get(0).get("/cluster/allocation/explain?topic=zoned&queue=0&copy=0").json();
        String text = explain.toString();
        assertTrue(text.contains("require") || text.contains("filter"), text);
        assertEquals(201, http.get(2).post("/topics/zoned/messages", "z".getBytes()).status());
    }

    @Test
    void aConsumerGroupOnOneNodeReadsWhatAnotherNodeSent() throws Exception {
        assertEquals(201, http.get(1).put("/topics/grouped", "{\"queues\": 2}").status());
        for (int i = 0; i < 20; i++) assertEquals(201, http.get(i % 3).post("/topics/grouped/messages", ("m" + i).getBytes()).status());
        Set<String> seen = new HashSet<>();
        eventually(() -> {
            JsonNode pulled = http.get(2).post("/groups/g/pull", "{\"topic\": \"grouped\", \"consumer\": \"c\", \"max\": 100}").json();
            for (JsonNode m : pulled.path("messages")) seen.add(m.path("body").asText());
            return seen.size() == 20;
        });
    }

    @Test
    void anAcknowledgedSettingsChangeIsAppliedOnEveryNodeWhenThePutAnswers() {
        String key = "ferry.allocation.cluster-concurrent-rebalance";
        try {
            for (int round = 0; round < 6; round++) {
                String value = Integer.toString(3 + round);
                JsonNode r = http.get(round % 3).put("/cluster/settings", "{\"persistent\": {\"" + key + "\": \"" + value + "\"}}").json();
                assertTrue(r.path("acknowledged").asBoolean(), r.toString());
                for (FerryNode n : cluster.live())
                    assertEquals(value, n.services().clusterInfo().dynamicSettings().get(key), "node " + n.settings().node().name() + " after round " + round);
            }
        } finally {
            http.get(0).put("/cluster/settings", "{\"persistent\": {\"" + key + "\": null}}");
        }
    }

    @Test
    void clusterNodesTellProducersWhereEachNodesApiIs() {
        Set<String> expected = new HashSet<>();
        for (FerryNode n : cluster.live()) expected.add("http://127.0.0.1:" + n.httpPort());
        Set<String> listed = new HashSet<>();
        for (JsonNode n : http.get(2).get("/cluster/nodes").json().path("nodes")) listed.add(n.path("http").asText());
        assertEquals(expected, listed);
    }

    @Test
    void clusterNodesShowEveryMembersAttributes() {
        JsonNode list = http.get(1).get("/cluster/nodes").json().path("nodes");
        Set<String> zones = new HashSet<>();
        for (JsonNode n : list) zones.add(n.path("attributes").path("zone").asText());
        assertEquals(Set.of("a", "b", "c"), zones);
    }

    /**
     * Akka places a shard only when a message reaches it: a replica handed off for a relocation, on a queue nobody
     * writes to, must still start on its new node (the strategy's reroute wakes it), not wait for the next send.
     */
    @Test
    void anIdleQueuesReplicaMovedByAFilterStartsOnItsNewNodeWithoutASend() throws Exception {
        assertEquals(201, http.get(0).put("/topics/idle-move", "{\"queues\": 1, \"replicas\": 1}").status());
        eventually(() -> placement("idle-move").size() == 2);
        String master = placement("idle-move").get("idle-move/0");
        String replica = placement("idle-move").get("idle-move/0/1");
        Http.Reply moved = http.get(0).patch("/topics/idle-move/settings", "{\"settings\": {\"topic.allocation.exclude._name\": \"" + replica + "\"}}");
        assertEquals(200, moved.status(), moved.toString());
        Set<String> others = new HashSet<>(Set.of("n1", "n2", "n3"));
        others.remove(master);
        others.remove(replica);
        String target = others.iterator().next();
        eventually(() -> target.equals(placement("idle-move").get("idle-move/0/1")));
        assertEquals(master, placement("idle-move").get("idle-move/0"));
    }
}
