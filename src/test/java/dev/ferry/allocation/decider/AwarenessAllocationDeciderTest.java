package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.Decision;

class AwarenessAllocationDeciderTest {

    private static Map<String, Integer> copiesPerZone(ClusterView view, int queue) {
        Map<String, Integer> zones = new HashMap<>();
        for (Copy c : view.copies()) {
            if (c.id().queue() == queue && c.node() != null) {
                zones.merge(view.nodes().get(c.node()).attributes().get("zone"), 1, Integer::sum);
            }
        }
        return zones;
    }

    @Test
    void masterAndReplicaGoToDifferentZones() {
        ClusterView view = settle(cluster("ferry.allocation.awareness.attributes", "zone")
                .node(node("n1", "zone", "a")).node(node("n2", "zone", "a")).node(node("n3", "zone", "b")).node(node("n4", "zone", "b"))
                .topic(topic("t", 8, 1)).build());
        for (int q = 0; q < 8; q++) {
            assertEquals(Map.of("a", 1, "b", 1), copiesPerZone(view, q));
        }
    }

    @Test
    void forcedValuesKeepTheReplicaUnassignedWhileOnlyOneZoneIsAlive() {
        ClusterView view = settle(cluster("ferry.allocation.awareness.attributes", "zone", "ferry.allocation.awareness.force.zone.values", "a,b")
                .node(node("n1", "zone", "a")).node(node("n2", "zone", "a")).topic(topic("t", 1, 1)).build());
        assertEquals(1, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 1), nodeOf(view, id("t", 0, 0)).equals("n1") ? "n2" : "n1");
        assertEquals("awareness", d.decider());
        assertEquals("there are [2] copies of this queue and [2] values for attribute [zone] (forced values [a, b] from "
                + "[ferry.allocation.awareness.force.zone.values]) so there may be at most [1] copies of this queue allocated to nodes "
                + "with each value, but (including this copy) there would be [2] copies allocated to nodes with [zone: a]", d.explanation());
    }

    @Test
    void withoutForcedValuesTheReplicaJoinsTheMastersZone() {
        ClusterView view = settle(cluster("ferry.allocation.awareness.attributes", "zone")
                .node(node("n1", "zone", "a")).node(node("n2", "zone", "a")).topic(topic("t", 1, 1)).build());
        assertEquals(0, unassigned(view).size());
    }

    @Test
    void fiveCopiesOverUnequalZonesAreCappedAtThreePerZone() {
        ClusterView.Builder b = cluster("ferry.allocation.awareness.attributes", "zone");
        for (int i = 1; i <= 5; i++) {
            b.node(node("a" + i, "zone", "a"));
        }
        ClusterView view = settle(b.node(node("b1", "zone", "b")).topic(topic("t", 1, 4)).build());
        assertEquals(Map.of("a", 3, "b", 1), copiesPerZone(view, 0));
        assertEquals(1, unassigned(view).size());
    }

    @Test
    void forcedValuesLowerTheCapPerZone() {
        ClusterView.Builder b = cluster("ferry.allocation.awareness.attributes", "zone", "ferry.allocation.awareness.force.zone.values", "b,c");
        for (int i = 1; i <= 5; i++) {
            b.node(node("a" + i, "zone", "a"));
        }
        ClusterView view = settle(b.node(node("b1", "zone", "b")).topic(topic("t", 1, 4)).build());
        assertEquals(Map.of("a", 2, "b", 1), copiesPerZone(view, 0));
        assertEquals(2, unassigned(view).size());
    }

    @Test
    void aNodeWithoutTheAttributeReceivesNothing() {
        ClusterView view = settle(cluster("ferry.allocation.awareness.attributes", "zone")
                .node(node("n1", "zone", "a")).node(node("n2")).topic(topic("t", 2, 0)).build());
        assertEquals(0, countOn(view, "n2"));
        assertEquals("node does not contain the awareness attribute [zone]; required attributes [ferry.allocation.awareness.attributes=zone]",
                decision(view, id("t", 0, 0), "n2", "awareness").explanation());
    }

    @Test
    void aNewZoneDrawsReplicasOutOfAnOverfullZone() {
        ClusterView placed = settle(cluster("ferry.allocation.awareness.attributes", "zone")
                .node(node("n1", "zone", "a")).node(node("n2", "zone", "a")).topic(topic("t", 4, 1)).build());
        ClusterView after = settle(placed.toBuilder().node(node("n3", "zone", "b")).build());
        for (int q = 0; q < 4; q++) {
            assertEquals(Map.of("a", 1, "b", 1), copiesPerZone(after, q));
            assertNotEquals(nodeOf(after, id("t", q, 0)), nodeOf(after, id("t", q, 1)));
        }
    }

    @Test
    void everyAwarenessAttributeIsCheckedIndependently() {
        ClusterView view = settle(cluster("ferry.allocation.awareness.attributes", "zone,rack")
                .node(node("n1", "zone", "a", "rack", "r1")).node(node("n2", "zone", "b", "rack", "r1"))
                .node(node("n3", "zone", "b", "rack", "r2")).topic(topic("t", 1, 1)).build());
        Copy master = view.copy(id("t", 0, 0)).orElseThrow();
        Copy replica = view.copy(id("t", 0, 1)).orElseThrow();
        assertTrue(!view.nodes().get(master.node()).attributes().get("rack").equals(view.nodes().get(replica.node()).attributes().get("rack"))
                && !view.nodes().get(master.node()).attributes().get("zone").equals(view.nodes().get(replica.node()).attributes().get("zone")));
    }
}
