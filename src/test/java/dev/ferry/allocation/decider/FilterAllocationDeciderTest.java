package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Decision;

class FilterAllocationDeciderTest {

    private static ClusterView.Builder threeTagged(String... settings) {
        return cluster(settings).node(node("n1", "tag", "value1")).node(node("n2", "tag", "value2")).node(node("n3", "tag", "value3"));
    }

    @Test
    void topicIncludePlacesCopiesOnlyOnMatchingNodes() {
        ClusterView view = settle(threeTagged().topic(topic("t", 2, 1, "topic.allocation.include.tag", "value1,value2")).build());
        assertEquals(List.of(), entitiesOn(view, "n3"));
        assertEquals(0, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 1), "n3");
        assertEquals("filter", d.decider());
        assertEquals("node does not match topic setting [topic.allocation.include] filters [tag:\"value1 OR value2\"]", d.explanation());
    }

    @Test
    void clusterRequireNeedsEveryAttribute() {
        ClusterView view = settle(cluster("ferry.allocation.require.tag", "value1", "ferry.allocation.require.rack", "r1")
                .node(node("n1", "tag", "value1", "rack", "r1")).node(node("n2", "tag", "value1", "rack", "r2"))
                .topic(topic("t", 2, 0)).build());
        assertEquals(2, countOn(view, "n1"));
        assertEquals("node does not match cluster setting [ferry.allocation.require] filters [rack:\"r1\", tag:\"value1\"]",
                decision(view, id("t", 0, 0), "n2", "filter").explanation());
    }

    @Test
    void excludeMovesExistingReplicasAway() {
        ClusterView placed = settle(threeTagged().topic(topic("t", 3, 0)).topic(topic("r", 3, 1)).build());
        ClusterView drained = settle(withSettings(placed, "ferry.allocation.exclude._name", "n2"));
        assertEquals(List.of(), entitiesOn(drained, "n2").stream().filter(e -> e.startsWith("r/")).toList());
        assertEquals(0, unassigned(drained).size());
    }

    @Test
    void aMasterWithoutReplicasCannotLeaveAnExcludedNodeBecauseItsLogLivesThere() {
        ClusterView placed = settle(threeTagged().topic(topic("t", 3, 0)).build());
        ClusterView after = settle(withSettings(placed, "ferry.allocation.exclude._name", "n1"));
        assertEquals(1, countOn(after, "n1"));
        String onN1 = entitiesOn(after, "n1").get(0);
        assertEquals("in_sync_copy", decision(after, dev.ferry.allocation.CopyId.parse(onN1), "n2", "in_sync_copy").decider());
        assertEquals(Decision.Type.NO, decision(after, dev.ferry.allocation.CopyId.parse(onN1), "n2", "in_sync_copy").type());
    }

    @Test
    void replicasAreDrainedAndMastersArePromotedOffAnExcludedNode() {
        ClusterView placed = settle(threeTagged().topic(topic("t", 3, 1)).build());
        ClusterView drained = settle(withSettings(placed, "ferry.allocation.exclude.tag", "value1"));
        assertEquals(List.of(), entitiesOn(drained, "n1"));
        assertEquals(0, unassigned(drained).size());
        Decision d = canRemain(withSettings(placed, "ferry.allocation.exclude.tag", "value1"), placed.copies().stream()
                .filter(c -> c.node().equals("n1")).findFirst().orElseThrow().id());
        assertEquals("node matches cluster setting [ferry.allocation.exclude] filters [tag:\"value1\"]", d.explanation());
    }

    @Test
    void aCopyStaysWhenNoOtherNodeMayTakeIt() {
        ClusterView placed = settle(cluster().node(node("n1", "tag", "a")).topic(topic("t", 1, 0)).build());
        ClusterView after = settle(withSettings(placed, "ferry.allocation.exclude.tag", "a"));
        assertEquals("n1", nodeOf(after, id("t", 0, 0)));
        assertEquals(Decision.Type.NO, canRemain(after, id("t", 0, 0)).type());
    }

    @Test
    void wildcardsMatchAnywhereInTheValue() {
        ClusterView view = settle(cluster().node(node("n1", "tag", "xxincl")).node(node("n2", "tag", "other"))
                .topic(topic("t", 2, 0, "topic.allocation.include.tag", "*incl*")).build());
        assertEquals(2, countOn(view, "n1"));
    }

    @Test
    void builtInIpAndHostAttributesFilter() {
        ClusterView view = settle(cluster("ferry.allocation.exclude._ip", "10.0.0.1", "ferry.allocation.exclude._host", "host-n2")
                .node(node("n1")).node(node("n2")).node(node("n3")).topic(topic("t", 3, 0)).build());
        assertEquals(3, countOn(view, "n3"));
    }

    @Test
    void excludeIgnoresNodesLackingTheAttributeButIncludeDoesNot() {
        ClusterView ex = settle(cluster("ferry.allocation.exclude.tag", "x").node(node("n1")).topic(topic("t", 1, 0)).build());
        assertEquals(0, unassigned(ex).size());
        ClusterView in = settle(cluster("ferry.allocation.include.tag", "x").node(node("n1")).topic(topic("t", 1, 0)).build());
        assertEquals(1, unassigned(in).size());
    }

    @Test
    void topicFiltersCannotRelaxClusterFilters() {
        ClusterView view = settle(threeTagged("ferry.allocation.exclude.tag", "value1")
                .topic(topic("t", 1, 0, "topic.allocation.require.tag", "value1")).build());
        assertEquals(1, unassigned(view).size());
        assertTrue(canAllocate(view, id("t", 0, 0), "n1").explanation().startsWith("node matches cluster setting"));
    }
}
