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

    // ---------------------------------------------------------------- order of placing unassigned copies

    private static String initializingTopic(StepResult r) {
        List<Copy> init = r.copies().stream().filter(c -> c.state() == CopyState.INITIALIZING).toList();
        assertEquals(1, init.size(), "one initial master recovery at a time: " + r.copies());
        return init.get(0).id().topic();
    }

    /** ES's PriorityComparator places newer indices first: a topic created by a step goes before the file's topics. */
    @Test
    void newerTopicsArePlacedFirst() {
        StepResult r = simulator.run(new SimulationInput(Map.of("ferry.allocation.node-initial-master-recoveries", "1"), List.of(node("n1")),
                List.of(topic("a", 1, 0)), List.of(), List.of(new SimulationStep.CreateTopic(topic("b", 1, 0)), new SimulationStep.Round())))
                .get(1);
        assertEquals("b", initializingTopic(r));
    }

    /** Topics of the file are created in file order: the later one is newer. */
    @Test
    void laterTopicsOfTheFileArePlacedFirst() {
        StepResult r = simulator.run(new SimulationInput(Map.of("ferry.allocation.node-initial-master-recoveries", "1"), List.of(node("n1")),
                List.of(topic("a", 1, 0), topic("b", 1, 0)), List.of(), List.of(new SimulationStep.Round()))).get(0);
        assertEquals("b", initializingTopic(r));
    }

    /** With equal priority and creation time ES orders by index name, descending; priority still comes first. */
    @Test
    void sameCreationTimeOrdersByNameDescendingAfterPriority() {
        ClusterView view = cluster("ferry.allocation.node-initial-master-recoveries", "1").node(node("n1"))
                .topic(topic("a", 1, 0)).topic(topic("b", 1, 0)).build();
        assertEquals("n1", nodeOf(new Allocator().round(view).next(), id("b", 0, 0)));
        ClusterView prioritised = cluster("ferry.allocation.node-initial-master-recoveries", "1").node(node("n1"))
                .topic(topic("a", 1, 0, TopicSettings.PRIORITY, "5")).topic(topic("b", 1, 0).withCreatedAt(9)).build();
        assertEquals("n1", nodeOf(new Allocator().round(prioritised).next(), id("a", 0, 0)));
    }
}
