package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Scenarios where Ferry disagreed with Elasticsearch (acceptance findings), written the way ES's allocation tests are. */
class EsAlignmentTest {
    private final Simulator simulator = new Simulator(new Allocator());

    private StepResult settleOnly(Map<String, String> settings, List<Node> nodes, List<Topic> topics) {
        return simulator.run(new SimulationInput(settings, nodes, topics, List.of(), List.of(new SimulationStep.Settle()))).get(0);
    }

    // ---------------------------------------------------------------- auto-expand counts only nodes the topic may use

    @Test
    void autoExpandCountsOnlyNodesPassingTheTopicFilters() {
        StepResult r = settleOnly(Map.of(), List.of(node("n1"), node("n2"), node("n3"), node("c1", "tier", "cold")),
                List.of(topic("t", 1, 0, TopicSettings.AUTO_EXPAND_REPLICAS, "0-all", "topic.allocation.include._name", "n1,n2")));
        assertEquals(List.of(), r.unassigned());
        assertEquals(2, r.copies().size(), "one replica: only n1 and n2 pass the filter " + r.copies());
    }

    @Test
    void autoExpandCountsOnlyNodesOfThePreferredTier() {
        StepResult r = settleOnly(Map.of(), List.of(node("n1"), node("n2"), node("n3"), node("c1", "tier", "cold")),
                List.of(topic("t", 1, 0, TopicSettings.AUTO_EXPAND_REPLICAS, "0-all")));
        assertEquals(List.of(), r.unassigned());
        assertEquals(3, r.copies().size(), "two replicas: the cold node is not in the hot tier " + r.copies());
    }

    @Test
    void autoExpandCountsOnlyNodesPassingTheClusterFilters() {
        ClusterView view = cluster("ferry.allocation.exclude._name", "n3").node(node("n1")).node(node("n2")).node(node("n3"))
                .topic(topic("t", 1, 0, TopicSettings.AUTO_EXPAND_REPLICAS, "0-all")).build();
        assertEquals(2, view.copiesPerQueue(view.topics().get("t")));
        Topic ranged = topic("r", 1, 0, TopicSettings.AUTO_EXPAND_REPLICAS, "1-5");
        assertEquals(2, view.copiesPerQueue(ranged), "min 1 replica, max = matching nodes - 1 = 1");
        assertTrue(view.copiesPerQueue(topic("p", 1, 3)) == 4, "a fixed replica count is not expanded");
    }

    // ---------------------------------------------------------------- the copy cap with no nodes

    /** ES's ShardLimitValidator.checkShardLimit skips the check while the cluster has no (data) nodes. */
    @Test
    void theCopyCapDoesNotApplyWithoutNodes() {
        ClusterView empty = cluster().build();
        assertEquals(java.util.Optional.empty(), Allocator.checkCopyLimit(empty, 1));
        StepResult r = simulator.run(new SimulationInput(Map.of(), List.of(), List.of(), List.of(),
                List.of(new SimulationStep.CreateTopic(topic("u", 1, 0))))).get(0);
        assertEquals(null, r.error());
        assertEquals(1, r.unassigned().size());
        ClusterView one = cluster("ferry.max-queue-copies-per-node", "1").node(node("n1")).build();
        assertTrue(Allocator.checkCopyLimit(one, 2).isPresent(), "with a node the cap still applies");
    }
}
