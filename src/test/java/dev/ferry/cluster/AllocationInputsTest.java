package dev.ferry.cluster;

import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.Node;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the strategy shell reads for drains: where a master may be handed over to, and where brokers may run. */
class AllocationInputsTest {

    private final RouteTable routes = new RouteTable();
    private final ClusterInfo info = new ClusterInfo();
    private final AllocationInputs inputs = new AllocationInputs(routes, info, Map.of());
    private final CopyId master = new CopyId("orders", 0, 0);

    private void route(List<Integer> inSync) {
        TopicSettings settings = new TopicSettings(1, 1, TopicSettings.Replication.SYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());
        routes.learn(new TopicState("orders", settings, List.of(new QueueRoute(0, 0, 3, inSync, Map.of(0, "n1", 1, "n2"))),
                0, false, 0, 1));
    }

    private static Node node(String name) {
        return Node.of(name, "h-" + name, "10.0.0.1", Map.of("zone", "a"));
    }

    @Test
    void aMasterIsHandedOverOnlyToTheNodeOfAnInSyncReplicaSlot() {
        route(List.of(0, 1));
        assertTrue(inputs.holdsInSyncReplica(master, "n2"));
        assertFalse(inputs.holdsInSyncReplica(master, "n1"), "the master's own node holds no replica");
        assertFalse(inputs.holdsInSyncReplica(master, "n3"), "no copy of the queue there");
    }

    @Test
    void aReplicaOutsideTheInSyncSetIsNoHandOverTarget() {
        route(List.of(0));
        assertFalse(inputs.holdsInSyncReplica(master, "n2"), "the Broker would refuse to promote it");
    }

    @Test
    void aMasterOnANodeWithoutAnInSyncCopyIsStrandedWhileItsDataNodeIsUp() {
        route(List.of(0));   // replica slot 1 on n2 left the in-sync set: the Broker refuses to promote n2
        assertTrue(inputs.strandedMaster(master, "n2", Set.of("n1", "n2", "n3")));
        assertFalse(inputs.strandedMaster(master, "n2", Set.of("n2", "n3")), "its data node is down: nowhere better to go");
        assertFalse(inputs.strandedMaster(master, "n1", Set.of("n1", "n2", "n3")), "it runs on its data node");
    }

    @Test
    void aMasterBeingPromotedOntoAnInSyncReplicaIsNotStranded() {
        route(List.of(0, 1));
        assertFalse(inputs.strandedMaster(master, "n2", Set.of("n1", "n2", "n3")));
    }

    @Test
    void brokersAvoidANodeExcludedByNameAndAnyNodeIsFineWithoutFilters() {
        assertTrue(inputs.clusterFiltersAccept(node("n2")));
        info.learnSettings(Map.of("ferry.allocation.exclude._name", "n2"));
        assertFalse(inputs.clusterFiltersAccept(node("n2")));
        assertTrue(inputs.clusterFiltersAccept(node("n1")));
    }

    @Test
    void brokersFollowClusterRequireAndIncludeFilters() {
        info.learnSettings(Map.of("ferry.allocation.require.zone", "b"));
        assertFalse(inputs.clusterFiltersAccept(node("n1")), "zone a does not match require.zone=b");
        info.learnSettings(Map.of("ferry.allocation.include.zone", "a,c"));
        assertTrue(inputs.clusterFiltersAccept(node("n1")));
    }

    // ---------------------------------------------------------------- where a replica's data is

    private dev.ferry.allocation.UnassignedInfo unassignedInfoOfReplica() {
        var view = inputs.view(List.of(node("n1"), node("n2"), node("n3")), Map.of(master, "n1"));
        return view.copies().stream().filter(c -> c.id().equals(replica)).findFirst().orElseThrow().unassignedInfo();
    }

    @Test
    void aReplicaThatIsNotRunningNamesTheNodeHoldingItsDataSoItGoesBackThere() {
        route(List.of(0, 1));
        assertEquals("n2", unassignedInfoOfReplica().lastNode(), "the route has slot 1 on n2");
    }

    @Test
    void aReplicaMovedOffItsNodeByARebalanceIsNotSentBackThere() {
        route(List.of(0));
        inputs.moving.put(replica, new dev.ferry.allocation.Move(replica, "n2", "n3", dev.ferry.allocation.Move.Kind.REBALANCE));
        assertEquals("", unassignedInfoOfReplica().lastNode(), "balance moved it off n2; back there, the next round moves it again");
    }

    // ---------------------------------------------------------------- relocation copies

    private final CopyId replica = new CopyId("orders", 0, 1);

    private void preparing(String target) {
        inputs.preCopies.put(replica, new AllocationInputs.PreCopy(
                new dev.ferry.allocation.Move(replica, "n2", target, dev.ferry.allocation.Move.Kind.REBALANCE), "uid-" + target, false, null));
    }

    @Test
    void aReplicaIsInSyncOnlyOnTheNodeTheRouteNamesForItsSlot() {
        route(List.of(0, 1));
        assertTrue(inputs.inSyncOn(replica, "n2"));
        assertFalse(inputs.inSyncOn(replica, "n3"), "the route has slot 1 on n2");
        route(List.of(0));
        assertFalse(inputs.inSyncOn(replica, "n2"), "out of the in-sync set: nothing to keep serving while it moves");
    }

    @Test
    void aPreparedReportFromTheTargetMarksTheRelocationReady() {
        preparing("n3");
        inputs.relocationReport(new dev.ferry.replica.RelocationTargets.Prepared("orders", 0, 1, "n3", 42));
        assertTrue(inputs.preCopies.get(replica).prepared());
    }

    @Test
    void aRefusalFromTheTargetMarksTheRelocationFailedWithItsReason() {
        preparing("n3");
        inputs.relocationReport(new dev.ferry.replica.RelocationTargets.NotPrepared("orders", 0, 1, "n3", "no free slot"));
        assertFalse(inputs.preCopies.get(replica).prepared());
        assertTrue("no free slot".equals(inputs.preCopies.get(replica).failure()));
    }

    @Test
    void aReportFromAnotherNodeThanTheExpectedTargetIsIgnored() {
        preparing("n3");
        inputs.relocationReport(new dev.ferry.replica.RelocationTargets.Prepared("orders", 0, 1, "n4", 42));
        assertFalse(inputs.preCopies.get(replica).prepared(), "a stale answer (an earlier target) must not move the replica");
    }

    @Test
    void aReplicaSlotTheTopicStillHasIsNotSurplus() {
        route(List.of(0, 1));   // one queue, one replica
        assertFalse(inputs.surplusReplica(new CopyId("orders", 0, 1)));
        assertFalse(inputs.surplusReplica(master), "a master slot is never a surplus replica");
        assertFalse(inputs.surplusReplica(new CopyId("unknown-yet", 0, 1)), "a topic not loaded yet decides nothing");
    }

    @Test
    void replicaSlotsBeyondTheTopicsReplicasOrQueuesOrOfADeletedTopicAreSurplus() {
        route(List.of(0, 1));
        assertTrue(inputs.surplusReplica(new CopyId("orders", 0, 2)), "replicas were lowered to 1");
        assertTrue(inputs.surplusReplica(new CopyId("orders", 1, 1)), "the topic has one queue");
        routes.learn(routes.get("orders").orElseThrow().asDeleted());
        assertTrue(inputs.surplusReplica(new CopyId("orders", 0, 1)), "the topic is deleted");
    }

    // ---------------------------------------------------------------- a replica left beside its master by a promotion

    /**
     * Topic syn, three queues with one replica each, every master promoted onto n1 (the former master's node n4 left):
     * each Replica entity is still on n1, dormant beside its master. {@code recorded}: the Broker has swapped the slots
     * (slot 0 on n1, slot 1 on n4 and out of sync); else the masters are placed on n1 but not promoted yet.
     */
    private dev.ferry.allocation.ClusterView promotedOntoN1(boolean recorded, String... settings) {
        AllocationInputs in = new AllocationInputs(routes, info, dev.ferry.allocation.Clusters.map(settings));
        TopicSettings s = new TopicSettings(3, 1, TopicSettings.Replication.SYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());
        List<QueueRoute> queues = new java.util.ArrayList<>();
        Map<CopyId, String> running = new java.util.HashMap<>();
        for (int q = 0; q < 3; q++) {
            queues.add(recorded ? new QueueRoute(q, 0, 4, List.of(0), Map.of(0, "n1", 1, "n4"))
                    : new QueueRoute(q, 0, 3, List.of(0, 1), Map.of(0, "n4", 1, "n1")));
            running.put(new CopyId("syn", q, 0), "n1");
            running.put(new CopyId("syn", q, 1), "n1");
        }
        routes.learn(new TopicState("syn", s, queues, 0, false, 0, 1));
        return in.view(List.of(node("n1"), node("n2"), node("n3")), running);
    }

    private final CopyId displaced = new CopyId("syn", 0, 1);

    /** The tester's case: explain said "can remain" on n1, desired n1, and n2/n3 throttled by the dormant copies. */
    @Test
    void aReplicaLeftBesideItsMasterByARecordedPromotionMayNotRemainAndIsNotCountedAsARecovery() {
        var view = promotedOntoN1(true, "ferry.allocation.type", "desired_balance");
        var copy = view.copy(displaced).orElseThrow();
        assertEquals(dev.ferry.allocation.CopyState.STARTED, copy.state(), "dormant, not recovering: it holds no recovery slot on n1");
        assertFalse(copy.inSync());
        var e = new dev.ferry.allocation.Allocator().explain(view, displaced);
        assertEquals("no", e.canRemainOnCurrentNode(), e.toString());
        assertTrue(e.canRemainDecisions().stream().anyMatch(d -> d.decider().equals("same_queue") && d.isNo()), e.toString());
        assertEquals("yes", e.canMoveToOtherNode(), "no recovery runs yet, so nothing throttles its move: " + e);
        assertTrue(e.desiredNode() != null && !e.desiredNode().equals("n1"), "desired " + e.desiredNode());
        var moves = new dev.ferry.allocation.Allocator().round(view).moves();
        assertTrue(moves.stream().anyMatch(m -> m.copy().equals(displaced) && m.from().equals("n1")), "the round moves it off: " + moves);
    }

    @Test
    void aReplicaBesideAMasterWhosePromotionIsNotRecordedStaysAndExplainSaysWhy() {
        var view = promotedOntoN1(false);
        var copy = view.copy(displaced).orElseThrow();
        assertEquals(dev.ferry.allocation.CopyState.STARTED, copy.state());
        assertTrue(copy.inSync(), "it holds the in-sync log the promotion needs");
        var e = new dev.ferry.allocation.Allocator().explain(view, displaced);
        assertEquals("yes", e.canRemainOnCurrentNode());
        assertTrue(e.moveExplanation().contains("until the promotion is recorded"), e.moveExplanation());
        assertEquals("no", e.canRebalanceCluster(), "the in-sync log being promoted onto is not moved for balance: " + e);
        var moves = new dev.ferry.allocation.Allocator().round(view).moves();
        assertTrue(moves.stream().noneMatch(m -> m.copy().equals(displaced)), moves.toString());
    }
}
