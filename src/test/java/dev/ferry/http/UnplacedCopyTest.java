package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two nodes, a queue with one replica; the replica's node leaves and the replica cannot be placed on the other (never
 * two copies of a queue on one node). GET /topics/{t} showed it running on the node that had left.
 */
class UnplacedCopyTest {

    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = InJvmCluster.start("u", 2, false, i -> "");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
    }

    @Test
    void aCopyWhoseNodeLeftShowsNoNodeAndNamesTheNodeItLastRanOn() throws Exception {
        Http first = new Http(cluster.node(0).httpPort());
        assertEquals(201, first.put("/topics/drain1", "{\"queues\": 1, \"replicas\": 1}").status());
        InJvmCluster.eventually(40_000, () -> {
            for (JsonNode c : copies(first)) if (!c.path("inSync").asBoolean() || c.path("node").asText().isEmpty()) return false;
            return copies(first).size() == 2;
        }, () -> copies(first).toString());
        String replicaNode = copies(first).get(1).path("node").asText();
        FerryNode gone = cluster.byName(replicaNode);
        int goneIndex = cluster.indexOf(gone);
        Http stays = new Http(cluster.node(1 - goneIndex).httpPort());
        cluster.terminate(goneIndex); // leaves the cluster (coordinated shutdown)
        InJvmCluster.eventually(40_000, () -> InJvmCluster.up(cluster.node(1 - goneIndex)) == 1
                && copies(stays).get(0).path("node").asText().equals(cluster.name(1 - goneIndex)), () -> copies(stays).toString());

        JsonNode replica = copies(stays).get(1);
        assertEquals("", replica.path("node").asText(), replica.toString());
        assertEquals(replicaNode, replica.path("lastNode").asText(), replica.toString());
        boolean placed = false;
        for (JsonNode c : stays.get("/cluster/placement").json().path("copies"))
            placed |= c.path("type").asText().equals("replica") && c.path("topic").asText().equals("drain1");
        assertEquals(false, placed, "the replica has nowhere to run");
    }

    static JsonNode copies(Http http) {
        return http.get("/topics/drain1").json().path("queueStates").get(0).path("copies");
    }
}
