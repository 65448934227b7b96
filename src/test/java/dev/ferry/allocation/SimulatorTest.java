package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SimulatorTest {
    private final Simulator simulator = new Simulator(new Allocator());

    private List<StepResult> run(List<Node> nodes, List<Topic> topics, List<Copy> copies, SimulationStep... steps) {
        return simulator.run(new SimulationInput(Map.of(), nodes, topics, copies, List.of(steps)));
    }

    @Test
    void stepsThatChangeTheClusterAllocateNothing() {
        List<StepResult> r = run(List.of(node("n1")), List.of(topic("a", 2, 0)), List.of(),
                new SimulationStep.AddNode(node("n2")), new SimulationStep.CreateTopic(topic("b", 1, 0)));
        assertEquals(0, r.get(0).copies().size());
        assertEquals(3, r.get(1).unassigned().size());
        assertNull(r.get(1).unassigned().get(0).status(), "no round has run");
    }

    @Test
    void settleCompletesRecoveriesUntilNothingChanges() {
        List<StepResult> r = run(List.of(node("n1"), node("n2")), List.of(topic("a", 4, 1)), List.of(), new SimulationStep.Settle());
        assertEquals(8, r.get(0).copies().size());
        assertTrue(r.get(0).copies().stream().allMatch(c -> c.state() == CopyState.STARTED));
        assertTrue(r.get(0).rounds() > 1);
    }

    @Test
    void movesCountTheRelocationsStartedInTheStep() {
        List<StepResult> r = run(List.of(node("n1"), node("n2")), List.of(topic("a", 4, 1)), List.of(), new SimulationStep.Settle(),
                new SimulationStep.AddNode(node("n3")), new SimulationStep.Settle());
        assertEquals(0, r.get(0).moves());
        assertTrue(r.get(2).moves() >= 2, "replicas move to the new node: " + r.get(2).moves());
        assertTrue(r.get(2).copies().stream().anyMatch(c -> c.node().equals("n3")));
    }

    @Test
    void aNodeLeavingUnassignsItsCopiesAndTheMasterIsPromoted() {
        List<StepResult> r = run(List.of(node("n1"), node("n2"), node("n3")), List.of(topic("a", 1, 1)),
                List.of(Copy.started(id("a", 0, 0), "n1", 10), Copy.started(id("a", 0, 1), "n2", 10)),
                new SimulationStep.RemoveNode("n1"), new SimulationStep.Settle());
        assertEquals(UnassignedInfo.Reason.NODE_LEFT, r.get(0).unassigned().get(0).reason());
        StepResult settled = r.get(1);
        assertEquals(List.of(), settled.unassigned());
        assertEquals("n2", settled.copies().stream().filter(c -> c.id().copy() == 0).findFirst().orElseThrow().node());
        assertEquals("n3", settled.copies().stream().filter(c -> c.id().copy() == 1).findFirst().orElseThrow().node());
    }

    @Test
    void aRollingRestartEndsWithEveryCopyOnTheNodesItStartedOn() {
        List<Node> nodes = List.of(node("n1"), node("n2"), node("n3"));
        List<StepResult> r = run(nodes, List.of(topic("a", 6, 1)), List.of(), new SimulationStep.Settle(),
                new SimulationStep.SetSettings(Map.of("ferry.allocation.enable", "primaries")), new SimulationStep.RemoveNode("n1"),
                new SimulationStep.Settle(), new SimulationStep.AddNode(node("n1")),
                new SimulationStep.SetSettings(Map.of("ferry.allocation.enable", "all")), new SimulationStep.Settle());
        assertEquals(queueNodes(r.get(0)), queueNodes(r.get(r.size() - 1)));
    }

    /** Each queue's nodes (masters and replicas alike: a promotion swaps roles, not nodes). */
    private static Map<Integer, java.util.Set<String>> queueNodes(StepResult step) {
        Map<Integer, java.util.Set<String>> out = new java.util.TreeMap<>();
        step.copies().forEach(c -> out.computeIfAbsent(c.id().queue(), q -> new java.util.TreeSet<>()).add(c.node()));
        return out;
    }

    @Test
    void unassignedCopiesCarryEveryNodesNegativeDecisions() {
        List<StepResult> r = run(List.of(node("n1")), List.of(topic("a", 1, 1)), List.of(), new SimulationStep.Settle());
        StepResult.UnassignedReport u = r.get(0).unassigned().get(0);
        assertEquals(id("a", 0, 1), u.copy());
        assertEquals(AllocationStatus.DECIDERS_NO, u.status());
        assertEquals("n1", u.decisions().get(0).node());
        assertEquals("same_queue", u.decisions().get(0).decider());
        assertEquals(Decision.Type.NO, u.decisions().get(0).decision());
    }

    @Test
    void refusedStepsReportAnErrorAndLeaveTheClusterUnchanged() {
        List<StepResult> r = simulator.run(new SimulationInput(Map.of("ferry.max-queue-copies-per-node", "2"), List.of(node("n1")),
                List.of(topic("a", 1, 0)), List.of(),
                List.of(new SimulationStep.CreateTopic(topic("b", 2, 0)), new SimulationStep.SetSettings(Map.of("ferry.allocation.enable", "x")),
                        new SimulationStep.RemoveNode("n9"), new SimulationStep.Explain(id("zzz", 0, 0)))));
        assertEquals("this action would add [2] queue copies, but this cluster currently has [1]/[2] maximum queue copies open; raise "
                + "[ferry.max-queue-copies-per-node] or add nodes", r.get(0).error());
        assertTrue(r.get(1).error().startsWith("setting [ferry.allocation.enable] must be one of"), r.get(1).error());
        assertEquals("no node [n9]", r.get(2).error());
        assertEquals("no copy [zzz][0][0] in the cluster", r.get(3).error());
        assertEquals(1, r.get(3).unassigned().size());
    }

    @Test
    void raisingReplicasAddsUnassignedReplicas() {
        List<StepResult> r = run(List.of(node("n1"), node("n2")), List.of(topic("a", 2, 0)), List.of(), new SimulationStep.Settle(),
                new SimulationStep.SetTopicSettings("a", Map.of("topic.replicas", "1")), new SimulationStep.Settle());
        assertEquals(2, r.get(1).unassigned().size());
        assertEquals(UnassignedInfo.Reason.REPLICA_ADDED, r.get(1).unassigned().get(0).reason());
        assertEquals(4, r.get(2).copies().size());
    }

    @Test
    void diskReportsAtFloodStageBlockTopicsUntilARound() {
        List<StepResult> r = run(List.of(disk(node("n1"), 100 * GB, 10 * GB)), List.of(topic("a", 1, 0)), List.of(), new SimulationStep.Settle(),
                new SimulationStep.DiskReport("n1", 100 * GB, 97 * GB), new SimulationStep.Round());
        assertEquals(Set.of(), r.get(1).readOnlyTopics());
        assertEquals(Set.of("a"), r.get(2).readOnlyTopics());
    }

    @Test
    void explainStepExplains() {
        List<StepResult> r = run(List.of(node("n1")), List.of(topic("a", 1, 1)), List.of(), new SimulationStep.Settle(),
                new SimulationStep.Explain(id("a", 0, 1)));
        assertNotNull(r.get(1).explain());
        assertEquals("no", r.get(1).explain().canAllocate());
    }
}
