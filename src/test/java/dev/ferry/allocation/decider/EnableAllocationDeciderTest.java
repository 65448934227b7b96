package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.RoundResult;
import dev.ferry.allocation.UnassignedInfo;

class EnableAllocationDeciderTest {

    @Test
    void enableNoneAllocatesNothingAndSaysWhichSetting() {
        ClusterView view = settle(cluster("ferry.allocation.enable", "none").node(node("n1")).node(node("n2")).topic(topic("t", 2, 1)).build());
        assertEquals(4, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 0), "n1");
        assertEquals(Decision.Type.NO, d.type());
        assertEquals("enable", d.decider());
        assertEquals("no allocations are allowed due to cluster setting [ferry.allocation.enable=none]", d.explanation());
    }

    @Test
    void enablePrimariesPlacesMastersOnly() {
        ClusterView view = settle(cluster("ferry.allocation.enable", "primaries").node(node("n1")).node(node("n2")).topic(topic("t", 2, 1)).build());
        assertEquals(2, unassigned(view).size());
        assertTrue(unassigned(view).stream().allMatch(c -> c.id().copy() == 1));
        assertEquals("replica allocations are forbidden due to cluster setting [ferry.allocation.enable=primaries]",
                canAllocate(view, id("t", 0, 1), "n2").explanation());
    }

    @Test
    void enableNewPrimariesPlacesOnlyMastersOfNewQueues() {
        ClusterView view = cluster("ferry.allocation.enable", "new_primaries").node(node("n1")).node(node("n2"))
                .topic(topic("fresh", 1, 0)).topic(topic("old", 1, 1))
                .copy(Copy.unassigned(id("old", 0, 0), UnassignedInfo.of(UnassignedInfo.Reason.NODE_LEFT), 100))
                .copy(Copy.started(id("old", 0, 1), "n1", 100)).build();
        RoundResult r = new Allocator().round(view);
        assertEquals(2, r.placements().size());
        // failover is not an allocation (ES promotes in failShard): the lost master of [old] takes its replica's place
        assertEquals(id("old", 0, 0), r.placements().get(0).copy());
        assertTrue(r.placements().get(0).promotion());
        assertEquals(id("fresh", 0, 0), r.placements().get(1).copy());
        assertEquals(CopyState.UNASSIGNED, r.next().copy(id("old", 0, 1)).orElseThrow().state(), "the replica slot waits");
        assertEquals("non-new master allocations are forbidden due to cluster setting [ferry.allocation.enable=new_primaries]",
                canAllocate(view, id("old", 0, 0), "n1").explanation());
    }

    @Test
    void topicSettingOverridesClusterSettingInBothDirections() {
        ClusterView view = settle(cluster("ferry.allocation.enable", "none").node(node("n1")).node(node("n2"))
                .topic(topic("open", 1, 1, "topic.allocation.enable", "all"))
                .topic(topic("closed", 1, 1))
                .topic(topic("shut", 1, 1, "topic.allocation.enable", "none")).build());
        assertEquals(0, unassigned(view).stream().filter(c -> c.id().topic().equals("open")).count());
        assertEquals(2, unassigned(view).stream().filter(c -> c.id().topic().equals("closed")).count());
        assertEquals("no allocations are allowed due to topic setting [topic.allocation.enable=none]",
                canAllocate(view, id("shut", 0, 0), "n1").explanation());
    }

    @Test
    void disablingAllocationNeverRemovesPlacedCopies() {
        ClusterView placed = settle(cluster().node(node("n1")).node(node("n2")).topic(topic("t", 2, 1)).build());
        ClusterView after = settle(withSettings(placed, "ferry.allocation.enable", "none"));
        assertEquals(0, unassigned(after).size());
        assertEquals(Decision.Type.YES, canRemain(after, id("t", 0, 1)).type());
    }

    @Test
    void rebalanceEnableReplicasMovesOnlyReplicas() {
        ClusterView placed = settle(cluster().node(node("n1")).topic(topic("t", 4, 0)).build());
        ClusterView grown = withSettings(placed.toBuilder().node(node("n2")).build(), "ferry.allocation.rebalance.enable", "replicas");
        ClusterView after = settle(grown);
        assertEquals(4, countOn(after, "n1"), "masters of started queues are never balanced by moving their log");
    }

    @Test
    void rebalanceEnableNoneStopsBalancingButATopicSettingReopensIt() {
        ClusterView placed = settle(cluster().node(node("n1")).node(node("n2"))
                .topic(topic("a", 2, 1)).topic(topic("b", 2, 1, "topic.allocation.rebalance.enable", "all")).build());
        ClusterView grown = withSettings(placed.toBuilder().node(node("n3")).node(node("n4")).build(), "ferry.allocation.rebalance.enable", "none");
        ClusterView after = settle(grown);
        long moved = after.copies().stream().filter(c -> c.node().equals("n3") || c.node().equals("n4")).count();
        assertTrue(moved > 0, "topic b may still be balanced");
        assertTrue(after.copies().stream().filter(c -> c.id().topic().equals("a"))
                .allMatch(c -> c.node().equals("n1") || c.node().equals("n2")), "topic a stays put");
    }
}
