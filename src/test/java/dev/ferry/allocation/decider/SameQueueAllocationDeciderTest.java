package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Node;

class SameQueueAllocationDeciderTest {

    @Test
    void twoCopiesOfAQueueNeverShareANode() {
        ClusterView view = settle(cluster().node(node("n1")).topic(topic("t", 1, 1)).build());
        assertEquals(1, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 1), "n1");
        assertEquals("same_queue", d.decider());
        assertTrue(d.explanation().startsWith("a copy of this queue is already allocated to this node"), d.explanation());
    }

    @Test
    void sameQueueHostKeepsCopiesOffNodesSharingAHost() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostA", "10.0.0.1", null))
                .topic(topic("t", 1, 1)).build());
        assertEquals(1, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 1), view.copy(id("t", 0, 0)).orElseThrow().node().equals("n1") ? "n2" : "n1");
        assertTrue(d.explanation().contains("a copy of this queue is already allocated to host [10.0.0.1]"), d.explanation());
        assertTrue(d.explanation().contains("[ferry.allocation.same-queue.host] is [true]"), d.explanation());
    }

    @Test
    void withoutSameQueueHostNodesSharingAHostBothHoldCopies() {
        ClusterView view = settle(cluster().node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostA", "10.0.0.2", null))
                .topic(topic("t", 1, 1)).build());
        assertEquals(0, unassigned(view).size());
        assertNotEquals(nodeOf(view, id("t", 0, 0)), nodeOf(view, id("t", 0, 1)));
    }

    @Test
    void sameQueueHostIsIgnoredForTopicsThatAutoExpandToAllNodes() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostA", "10.0.0.1", null))
                .topic(topic("t", 1, 0, "topic.auto-expand-replicas", "0-all")).build());
        assertEquals(0, unassigned(view).size());
        assertEquals(2, view.copies().size());
    }
    /** Found by AllocationPropertiesTest (seed 8440035798605689878): a relocation inside one host briefly held two copies there. */
    @Test
    void sameQueueHostForbidsMovingACopyToAnotherNodeOfItsOwnHost() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostA", "10.0.0.1", null))
                .topic(topic("t", 1, 0)).build());
        String other = nodeOf(view, id("t", 0, 0)).equals("n1") ? "n2" : "n1";
        Decision d = decision(view, id("t", 0, 0), other, "same_queue");
        assertEquals(Decision.Type.NO, d.type());
        assertTrue(d.explanation().contains("on the same host [10.0.0.1] until it is relocated"), d.explanation());
    }

    /** ES's isOnSameHost compares host addresses first: one address under two host names is one host. */
    @Test
    void sameQueueHostComparesAddressesNotHostNames() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostB", "10.0.0.1", null))
                .topic(topic("t", 1, 1)).build());
        assertEquals(1, unassigned(view).size(), "both nodes have address 10.0.0.1");
    }

    /** ... and one host name with two addresses is two hosts. */
    @Test
    void sameQueueHostTreatsOneHostNameWithTwoAddressesAsTwoHosts() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", "10.0.0.1", null)).node(Node.of("n2", "hostA", "10.0.0.2", null))
                .topic(topic("t", 1, 1)).build());
        assertEquals(0, unassigned(view).size());
    }

    /** Nodes without an address fall back to the host name. */
    @Test
    void sameQueueHostFallsBackToHostNamesWithoutAddresses() {
        ClusterView view = settle(cluster("ferry.allocation.same-queue.host", "true")
                .node(Node.of("n1", "hostA", null, null)).node(Node.of("n2", "hostA", null, null))
                .topic(topic("t", 1, 1)).build());
        assertEquals(1, unassigned(view).size());
        Decision d = canAllocate(view, id("t", 0, 1), nodeOf(view, id("t", 0, 0)).equals("n1") ? "n2" : "n1");
        assertTrue(d.explanation().contains("allocated to host [hostA]"), d.explanation());
    }

    // A Replica entity can be left beside its master by a promotion (Ferry's sharding stops it in a later step).

    private static ClusterView replicaBesideItsMaster(boolean inSync) {
        return cluster().node(node("n1")).node(node("n2")).node(node("n3")).topic(topic("t", 1, 1))
                .copy(dev.ferry.allocation.Copy.started(id("t", 0, 0), "n1", 0))
                .copy(new dev.ferry.allocation.Copy(id("t", 0, 1), dev.ferry.allocation.CopyState.STARTED, "n1", null, 0, inSync, null))
                .build();
    }

    @Test
    void aReplicaOutOfSyncBesideItsMasterMayNotRemainAndIsMovedOff() {
        ClusterView view = replicaBesideItsMaster(false);
        Decision d = canRemain(view, id("t", 0, 1));
        assertEquals(Decision.Type.NO, d.type(), d.toString());
        assertEquals("same_queue", d.decider());
        assertTrue(d.explanation().contains("the master of this queue"), d.explanation());
        var moves = new dev.ferry.allocation.Allocator().round(view).moves();
        assertEquals(1, moves.size(), moves.toString());
        assertEquals(id("t", 0, 1), moves.get(0).copy());
        assertEquals("n1", moves.get(0).from());
        assertEquals(dev.ferry.allocation.Move.Kind.FORCED, moves.get(0).kind());
    }

    @Test
    void aReplicaInSyncBesideItsMasterStaysForThePromotionAndIsNotRebalanced() {
        ClusterView view = replicaBesideItsMaster(true);
        Decision d = canRemain(view, id("t", 0, 1));
        assertEquals(Decision.Type.YES, d.type());
        var e = new dev.ferry.allocation.Allocator().explain(view, id("t", 0, 1));
        assertTrue(e.canRemainDecisions().contains(SameQueueAllocationDecider.YES_PROMOTION_PENDING), e.toString());
        assertTrue(e.moveExplanation().startsWith("the copy stays on its node for now"), e.moveExplanation());
        assertTrue(e.canRebalanceClusterDecisions().stream().anyMatch(x -> x.decider().equals("same_queue") && x.isNo()), e.toString());
        assertTrue(new dev.ferry.allocation.Allocator().round(view).moves().isEmpty());
    }
}
