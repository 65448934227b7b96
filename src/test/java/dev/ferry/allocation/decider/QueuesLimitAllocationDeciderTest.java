package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Decision;

class QueuesLimitAllocationDeciderTest {

    @Test
    void topicLimitLeavesCopiesUnassignedRatherThanCrowdANode() {
        ClusterView view = settle(cluster().node(node("n1")).node(node("n2"))
                .topic(topic("t", 3, 1, "topic.allocation.total-queues-per-node", "2")).build());
        assertEquals(2, unassigned(view).size());
        assertEquals(2, countOn(view, "n1"));
        assertEquals(2, countOn(view, "n2"));
        Decision d = decision(view, unassigned(view).get(0).id(), "n1", "queues_limit");
        assertEquals("too many queue copies [2] allocated to this node for topic [t], topic setting "
                + "[topic.allocation.total-queues-per-node=2]", d.explanation());
    }

    @Test
    void clusterLimitCountsEveryTopic() {
        ClusterView view = settle(cluster("ferry.allocation.total-queues-per-node", "3").node(node("n1"))
                .topic(topic("a", 2, 0)).topic(topic("b", 2, 0)).build());
        assertEquals(3, countOn(view, "n1"));
        assertEquals(1, unassigned(view).size());
        assertEquals("too many queue copies [3] allocated to this node, cluster setting [ferry.allocation.total-queues-per-node=3]",
                canAllocate(view, unassigned(view).get(0).id(), "n1").explanation());
    }

    @Test
    void loweringTheLimitMovesCopiesAway() {
        ClusterView placed = settle(cluster().node(node("n1")).node(node("n2")).topic(topic("t", 4, 1)).build());
        ClusterView limited = withSettings(placed.toBuilder().node(node("n3")).build(), "ferry.allocation.total-queues-per-node", "3");
        assertTrue(limited.copies().stream().anyMatch(c -> canRemain(limited, c.id()).type() == Decision.Type.NO));
        ClusterView after = settle(limited);
        assertTrue(countOn(after, "n1") <= 3 && countOn(after, "n2") <= 3, after.copies().toString());
        assertEquals(0, unassigned(after).size());
    }
}
