package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Scenarios in the style of ES's routing tests (FailedNodeRoutingTests, PrimaryElectionRoutingTests,
 * UpdateNumberOfReplicasTests, AwarenessAllocationTests): a starting cluster, steps, and what must hold after each.
 */
class SimulatorScenarioTest {
    private final Simulator simulator = new Simulator(new Allocator());

    private List<StepResult> run(Map<String, String> settings, List<Node> nodes, List<Topic> topics, List<Copy> copies,
                                 SimulationStep... steps) {
        return simulator.run(new SimulationInput(settings, nodes, topics, copies, List.of(steps)));
    }

    private static Copy at(String topic, int queue, int copy, String node) {
        return Copy.started(id(topic, queue, copy), node, 10);
    }

    private static Copy find(StepResult step, String topic, int queue, int copy) {
        return step.copies().stream().filter(c -> c.id().equals(id(topic, queue, copy))).findFirst().orElse(null);
    }

    private static void assertNoError(StepResult step) {
        assertNull(step.error(), () -> "step " + step.op() + " refused: " + step.error());
    }

    // ------------------------------------------------------------------ failover is not an allocation

    @Test
    void failoverPromotesTheReplicaEvenWithAllocationDisabled() {
        for (String enable : List.of("none", "new_primaries", "primaries")) {
            List<StepResult> r = run(Map.of("ferry.allocation.enable", enable), List.of(node("n1"), node("n2")), List.of(topic("t", 1, 1)),
                    List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2")),
                    new SimulationStep.RemoveNode("n1"), new SimulationStep.Round());
            Copy master = find(r.get(1), "t", 0, 0);
            assertEquals("n2", master == null ? null : master.node(), "enable=" + enable + ": " + r.get(1).unassigned());
            assertEquals(CopyState.STARTED, master.state(), "the promoted master is active at once");
            StepResult.UnassignedReport slot = r.get(1).unassigned().get(0);
            assertEquals(id("t", 0, 1), slot.copy());
            assertEquals(UnassignedInfo.Reason.NODE_LEFT, slot.reason());
        }
    }

    @Test
    void failoverIsNotThrottledByInitialMasterRecoveries() {
        List<StepResult> r = run(Map.of("ferry.allocation.node-initial-master-recoveries", "1"), List.of(node("n1"), node("n2"), node("n3")),
                List.of(topic("t", 2, 1)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2"), at("t", 1, 0, "n1"), at("t", 1, 1, "n2")),
                new SimulationStep.RemoveNode("n1"), new SimulationStep.Round());
        assertEquals("n2", find(r.get(1), "t", 0, 0).node());
        assertEquals("n2", find(r.get(1), "t", 1, 0).node(), "both masters fail over in the first round");
        assertEquals(CopyState.STARTED, find(r.get(1), "t", 1, 0).state());
    }

    @Test
    void aLostMastersReplicaReturnsToItsNodeWhenItRejoins() {
        List<StepResult> r = run(Map.of("ferry.allocation.enable", "primaries"), List.of(node("n1"), node("n2")), List.of(topic("t", 1, 1)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2")),
                new SimulationStep.RemoveNode("n1"), new SimulationStep.Settle(), new SimulationStep.AddNode(node("n1")),
                new SimulationStep.SetSettings(Map.of("ferry.allocation.enable", "all")), new SimulationStep.Settle());
        assertEquals("n2", find(r.get(1), "t", 0, 0).node());
        assertEquals(1, r.get(1).unassigned().size(), "with enable=primaries the replica waits");
        assertEquals("n1", find(r.get(4), "t", 0, 1).node());
    }

    @Test
    void explainAndAllocateAgreeWithTheFailover() {
        ClusterView view = cluster("ferry.allocation.enable", "none").node(node("n2")).topic(topic("t", 1, 1))
                .copy(Copy.unassigned(id("t", 0, 0), UnassignedInfo.nodeLeft("n1"), 10)).copy(at("t", 0, 1, "n2")).build();
        AllocationResult a = new Allocator().allocate(view, id("t", 0, 0));
        assertEquals(Decision.Type.YES, a.type(), a.explanation());
        assertEquals("n2", a.node().orElseThrow());
        assertTrue(a.promotion());
        AllocationExplanation e = new Allocator().explain(view, id("t", 0, 0));
        assertEquals("yes", e.canAllocate(), e.allocateExplanation());
    }
    // ------------------------------------------------------------------ lowering the replica count

    @Test
    void autoExpandShrinkingDropsTheUnassignedReplicaAndLosesNoCopy() {
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n2"), node("n3")),
                List.of(topic("t", 1, 0, "topic.auto-expand-replicas", "0-all")),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2"), at("t", 0, 2, "n3")),
                new SimulationStep.RemoveNode("n2"), new SimulationStep.RemoveNode("n1"), new SimulationStep.Settle(),
                new SimulationStep.AddNode(node("n4")), new SimulationStep.Settle(), new SimulationStep.RemoveNode("n3"),
                new SimulationStep.Settle());
        r.forEach(SimulatorScenarioTest::assertNoError);
        assertTrue(r.get(0).copies().stream().anyMatch(c -> "n3".equals(c.node())), "removeNode drops nothing: " + r.get(0).copies());
        assertTrue(r.get(1).copies().stream().anyMatch(c -> "n3".equals(c.node())), "removeNode drops nothing: " + r.get(1).copies());
        Copy master = find(r.get(2), "t", 0, 0);
        assertEquals("n3", master == null ? null : master.node(), "the copy on n3 becomes the master: " + r.get(2).copies());
        assertEquals(1, r.get(2).copies().size());
        assertEquals(List.of(), r.get(2).unassigned());
        assertEquals(2, r.get(4).copies().size(), "auto-expand grows back onto n4");
        assertEquals("n4", find(r.get(6), "t", 0, 0).node(), "n3 leaving fails the master over to n4");
    }

    @Test
    void loweringReplicasDropsAnUnassignedReplicaBeforeAStartedOne() {
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n3")), List.of(topic("t", 1, 2)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 2, "n3")),
                new SimulationStep.SetTopicSettings("t", Map.of("topic.replicas", "1")), new SimulationStep.Round());
        r.forEach(SimulatorScenarioTest::assertNoError);
        assertEquals(2, r.get(0).copies().size(), "the settings step changes no copy: " + r.get(0).copies());
        assertEquals(List.of(), r.get(1).unassigned());
        Copy replica = find(r.get(1), "t", 0, 1);
        assertEquals("n3", replica == null ? null : replica.node(), "the started replica is kept (renumbered): " + r.get(1).copies());
        assertEquals(CopyState.STARTED, replica.state());
    }

    @Test
    void loweringReplicasWithEveryCopyStartedDropsTheHighestAtTheNextRound() {
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n2"), node("n3")), List.of(topic("t", 1, 2)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2"), at("t", 0, 2, "n3")),
                new SimulationStep.SetTopicSettings("t", Map.of("topic.replicas", "1")), new SimulationStep.Round());
        assertEquals(3, r.get(0).copies().size());
        assertEquals(Map.of(0, "n1", 1, "n2"), nodesOf(r.get(1)));
    }

    // ------------------------------------------------------------------ a master that may not remain

    @Test
    void aMasterThatMayNotRemainStaysWhenForcedAwarenessLeavesNoNodeForItsReplica() {
        List<StepResult> r = run(Map.of("ferry.allocation.awareness.attributes", "zone", "ferry.allocation.awareness.force.zone.values", "a,b"),
                List.of(node("a0", "zone", "a"), node("a1", "zone", "a")), List.of(topic("t", 1, 1)),
                List.of(at("t", 0, 0, "a0"), at("t", 0, 1, "a1")), new SimulationStep.Settle());
        assertEquals(Map.of(0, "a0", 1, "a1"), nodesOf(r.get(0)));
        assertEquals(List.of(), r.get(0).unassigned());
    }

    @Test
    void anExcludedMastersNodeKeepsItWhenNoOtherNodeCanTakeTheReplica() {
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n2")), List.of(topic("t", 1, 1)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2")),
                new SimulationStep.SetSettings(Map.of("ferry.allocation.exclude._name", "n1")), new SimulationStep.Settle());
        assertEquals(Map.of(0, "n1", 1, "n2"), nodesOf(r.get(1)));
        assertEquals(List.of(), r.get(1).unassigned());
    }

    @Test
    void anExcludedMasterIsHandedOverWhenAThirdNodeTakesTheReplica() {
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n2"), node("n3")), List.of(topic("t", 1, 1)),
                List.of(at("t", 0, 0, "n1"), at("t", 0, 1, "n2")),
                new SimulationStep.SetSettings(Map.of("ferry.allocation.exclude._name", "n1")), new SimulationStep.Settle());
        assertEquals(Map.of(0, "n2", 1, "n3"), nodesOf(r.get(1)), "a drain hands the master over to the in-sync replica");
    }

    @Test
    void aZoneLostAndRegainedEndsWithOneCopyPerNode() {
        List<Node> b = List.of(node("b0", "zone", "b"), node("b1", "zone", "b"));
        List<StepResult> r = run(Map.of("ferry.allocation.awareness.attributes", "zone"),
                List.of(node("a0", "zone", "a"), node("a1", "zone", "a"), b.get(0), b.get(1)), List.of(topic("t", 2, 1)), List.of(),
                new SimulationStep.Settle(), new SimulationStep.RemoveNode("b0"), new SimulationStep.RemoveNode("b1"), new SimulationStep.Settle(),
                new SimulationStep.AddNode(b.get(0)), new SimulationStep.AddNode(b.get(1)), new SimulationStep.Settle());
        StepResult last = r.get(r.size() - 1);
        assertEquals(List.of(), last.unassigned());
        Map<String, Integer> perNode = new TreeMap<>();
        last.copies().forEach(c -> perNode.merge(c.node(), 1, Integer::sum));
        assertEquals(Map.of("a0", 1, "a1", 1, "b0", 1, "b1", 1), perNode);
        for (int q = 0; q < 2; q++) {
            String m = find(last, "t", q, 0).node();
            String rep = find(last, "t", q, 1).node();
            assertTrue(m.charAt(0) != rep.charAt(0), "queue " + q + " spans both zones: " + m + ", " + rep);
        }
    }

    @Test
    void aPerNodeLimitMovesOneCopyFromEachFullNodeAndLosesNone() {
        List<Copy> copies = new java.util.ArrayList<>();
        for (int q = 0; q < 3; q++) {
            copies.add(at("t", q, 0, "n1"));
            copies.add(at("t", q, 1, "n2"));
        }
        List<StepResult> r = run(Map.of(), List.of(node("n1"), node("n2"), node("n3")), List.of(topic("t", 3, 1)), copies,
                new SimulationStep.SetTopicSettings("t", Map.of("topic.allocation.total-queues-per-node", "2")), new SimulationStep.Settle());
        StepResult last = r.get(1);
        assertEquals(List.of(), last.unassigned());
        assertEquals(6, last.copies().size());
        Map<String, Integer> perNode = new TreeMap<>();
        last.copies().forEach(c -> perNode.merge(c.node(), 1, Integer::sum));
        assertEquals(Map.of("n1", 2, "n2", 2, "n3", 2), perNode);
    }

    private static Map<Integer, String> nodesOf(StepResult step) {
        Map<Integer, String> out = new TreeMap<>();
        step.copies().forEach(c -> out.put(c.id().copy(), c.node()));
        return out;
    }
}
