package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.AllocationStatus;
import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.Recoveries;
import dev.ferry.allocation.RoundResult;
import dev.ferry.allocation.UnassignedCopy;

class ThrottlingAllocationDeciderTest {

    @Test
    void aNodeOpensAtMostFourNewMastersPerRound() {
        RoundResult r = new Allocator().round(cluster().node(node("n1")).topic(topic("t", 10, 0)).build());
        assertEquals(4, r.placements().size());
        UnassignedCopy waiting = r.unassigned().get(0);
        assertEquals(AllocationStatus.DECIDERS_THROTTLED, waiting.status());
        assertTrue(waiting.explanation().contains("reached the limit of ongoing initial master recoveries, cluster setting "
                + "[ferry.allocation.node-initial-master-recoveries]"), waiting.explanation());
        assertEquals("reached the limit of ongoing initial master recoveries [4], cluster setting [ferry.allocation.node-initial-master-recoveries=4]",
                canAllocate(r.next(), waiting.copy(), "n1").explanation(), "explain quotes the numbers");
    }

    @Test
    void aNodeReceivesAtMostTwoReplicaRecoveriesAtOnce() {
        ClusterView.Builder b = cluster().node(node("n1")).node(node("n2")).topic(topic("t", 6, 1));
        for (int q = 0; q < 6; q++) {
            b.copy(Copy.started(id("t", q, 0), "n1", 100));
        }
        RoundResult r = new Allocator().round(b.build());
        assertEquals(2, r.placements().size());
        assertTrue(r.unassigned().get(0).explanation().contains("[ferry.allocation.node-concurrent-incoming-recoveries]"),
                r.unassigned().get(0).explanation());
        assertTrue(canAllocate(r.next(), r.unassigned().get(0).copy(), "n2").explanation().contains(
                "reached the limit of incoming queue recoveries [2], cluster setting [ferry.allocation.node-concurrent-incoming-recoveries=2]"));
    }

    @Test
    void theMastersNodeServesAtMostItsOutgoingLimit() {
        ClusterView.Builder b = cluster("ferry.allocation.node-concurrent-outgoing-recoveries", "1")
                .node(node("n1")).node(node("n2")).node(node("n3")).topic(topic("t", 4, 1));
        for (int q = 0; q < 4; q++) {
            b.copy(Copy.started(id("t", q, 0), "n1", 100));
        }
        RoundResult r = new Allocator().round(b.build());
        assertEquals(1, r.placements().size());
        assertTrue(r.unassigned().get(0).explanation().contains("reached the limit of outgoing queue recoveries on the node holding the master"),
                r.unassigned().get(0).explanation());
        String other = r.placements().get(0).node().equals("n2") ? "n3" : "n2";
        assertTrue(canAllocate(r.next(), r.unassigned().get(0).copy(), other).explanation().contains(
                "reached the limit of outgoing queue recoveries [1] on the node [n1]"));
    }

    @Test
    void throttledCopiesArePlacedInLaterRounds() {
        Allocator allocator = new Allocator();
        ClusterView view = cluster().node(node("n1")).topic(topic("t", 10, 0)).build();
        int rounds = 0;
        while (!unassigned(view).isEmpty()) {
            view = Recoveries.complete(allocator.round(view).next());
            rounds++;
        }
        assertEquals(3, rounds);
    }
}
