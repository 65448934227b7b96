package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.RoundResult;
import dev.ferry.allocation.UnassignedInfo;

class InSyncCopyAllocationDeciderTest {

    private static ClusterView masterLost(boolean replicaInSync) {
        return cluster().node(node("n2")).node(node("n3")).topic(topic("t", 1, 1))
                .copy(Copy.unassigned(id("t", 0, 0), UnassignedInfo.of(UnassignedInfo.Reason.NODE_LEFT), 100))
                .copy(new Copy(id("t", 0, 1), CopyState.STARTED, "n2", null, 100, replicaInSync, null)).build();
    }

    @Test
    void aLostMasterIsPromotedOntoTheNodeOfItsInSyncReplica() {
        RoundResult r = new Allocator().round(masterLost(true));
        assertEquals(2, r.placements().size());
        assertEquals("n2", r.placements().get(0).node());
        assertTrue(r.placements().get(0).promotion());
        assertEquals(CopyState.STARTED, r.next().copy(id("t", 0, 0)).orElseThrow().state(), "failover: active at once");
        // the replica slot (now the lost master's old copy) recovers on the other node in the same round
        assertEquals(id("t", 0, 1), r.placements().get(1).copy());
        assertEquals("n3", r.placements().get(1).node());
    }

    @Test
    void theDisplacedReplicaRecoversOnAnotherNode() {
        ClusterView after = settle(masterLost(true));
        assertEquals("n2", nodeOf(after, id("t", 0, 0)));
        assertEquals("n3", nodeOf(after, id("t", 0, 1)));
    }

    @Test
    void aMasterIsNeverPromotedOntoAReplicaOutsideTheInSyncSet() {
        ClusterView after = settle(masterLost(false));
        assertEquals(CopyState.UNASSIGNED, after.copy(id("t", 0, 0)).orElseThrow().state());
        Decision d = canAllocate(after, id("t", 0, 0), "n3");
        assertEquals("in_sync_copy", d.decider());
        assertEquals("the queue [t/0] has a log and this node holds no in-sync copy of it; a master can only start where an in-sync copy "
                + "lives, nodes holding one: [] (the queue waits for a node with an in-sync copy to rejoin)", d.explanation());
    }

    @Test
    void aNewQueuesMasterMayStartAnywhere() {
        ClusterView view = cluster().node(node("n1")).topic(topic("t", 1, 0)).build();
        assertEquals("the queue is new; its master starts with an empty log on any node", decision(view, id("t", 0, 0), "n1", "in_sync_copy").explanation());
    }

    @Test
    void balancingNeverMovesAStartedMasterAwayFromItsLog() {
        ClusterView placed = settle(cluster().node(node("n1")).topic(topic("t", 4, 1)).build());
        ClusterView after = settle(placed.toBuilder().node(node("n2")).node(node("n3")).build());
        for (int q = 0; q < 4; q++) {
            assertEquals("n1", nodeOf(after, id("t", q, 0)));
            assertNotEquals("n1", nodeOf(after, id("t", q, 1)));
        }
    }
}
