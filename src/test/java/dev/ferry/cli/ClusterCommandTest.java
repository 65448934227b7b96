package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry cluster ...} and {@code ferry health} against a real single-node cluster. */
@ExtendWith(TestNode.class)
class ClusterCommandTest {

    @Test
    void nodesListsTheNodeAsUpWithItsZone() {
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "nodes");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().get(0).startsWith("NODE"), r.out());
        assertTrue(r.lines().get(1).matches("cli-test\\s+Up\\s+true\\s+\\S*zone=zone-a\\S*\\s+.*akka://ferry@127\\.0\\.0\\.1:" + TestNode.CLUSTER_PORT), r.out());
    }

    @Test
    void explainPrintsTheDecisionForAMasterAsText() {
        String topic = "explain-" + System.nanoTime() % 100_000;
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1");
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "explain", "--topic", topic, "--queue", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().get(0).matches(topic + "/0 \\(master, copy 0\\): started on cli-test"), r.out());
        assertTrue(r.lines().contains("can remain: yes"), r.out());
        assertFalse(r.out().contains("{"), r.out());
    }

    @Test
    void explainOfAnUnplaceableReplicaPrintsEachNodesDecisionWithTheDecidersThatSaidNo() {
        // one node: a replica can never share its master's node
        String topic = "explain-replica-" + System.nanoTime() % 100_000;
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1", "-r", "1");
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "explain", "--topic", topic, "--queue", "0", "--copy", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().get(0).startsWith(topic + "/0/1 (replica, copy 1): unassigned"), r.out());
        assertTrue(r.lines().contains("can allocate: no"), r.out());
        assertTrue(r.lines().contains("nodes:"), r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("  cli-test: no \\(weight .*, rank 1\\)")), r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("    NO \\S+: .+")), r.out());
        assertFalse(r.out().contains("{") || r.out().contains("\""), r.out());
        assertFalse(r.lines().stream().anyMatch(l -> l.startsWith("    YES")), "only the deciders in the way: " + r.out());
    }

    @Test
    void explainJsonPrintsTheNodesAnswer() {
        String topic = "explain-json-" + System.nanoTime() % 100_000;
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1");
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "explain", "--topic", topic, "--queue", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"entity\" : \"" + topic + "/0\""), r.out());
        assertTrue(r.out().contains("\"decision\""), r.out());
    }

    @Test
    void settingsPrintsTheSettingsAsTextAndAsJsonWithJson() {
        Cli.Result text = Cli.against(TestNode.URL, "cluster", "settings");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.lines().contains("defaults:"), text.out());
        Cli.Result json = Cli.against(TestNode.URL, "cluster", "settings", "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"defaults\" : {"), json.out());
    }

    @Test
    void explainOfAnUnknownTopicIsA404() {
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "explain", "--topic", "nope-" + System.nanoTime(), "--queue", "0");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("HTTP 404"), r.err());
    }

    @Test
    void placementListsTheMasterOfANewTopicsQueue() {
        String topic = "placed-" + System.nanoTime() % 100_000;
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1");
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "placement");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches(topic + "/0\\s+queue\\s+master\\s+cli-test")), r.out());
    }

    @Test
    void healthExits0AndPrintsTheNodesAnswer() {
        Cli.Result r = Cli.against(TestNode.URL, "health");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().contains("status: ok"), r.out());
        assertTrue(r.lines().contains("node: cli-test"), r.out());
    }

    @Test
    void healthJsonPrintsTheNodesAnswer() {
        Cli.Result r = Cli.against(TestNode.URL, "health", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"status\" : \"ok\""), r.out());
    }
}
