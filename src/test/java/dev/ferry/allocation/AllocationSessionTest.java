package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class AllocationSessionTest {

    @Test
    void recordedPlacementsSpreadLaterAnswers() {
        ClusterView view = cluster().node(node("n1")).node(node("n2")).node(node("n3")).topic(topic("t", 6, 0)).build();
        AllocationSession session = new Allocator().session(view, null);
        Map<String, Integer> perNode = new HashMap<>();
        for (int q = 0; q < 6; q++) {
            AllocationResult r = session.allocate(id("t", q, 0));
            session.placed(id("t", q, 0), r.node().orElseThrow());
            perNode.merge(r.node().orElseThrow(), 1, Integer::sum);
        }
        assertEquals(Map.of("n1", 2, "n2", 2, "n3", 2), perNode);
        assertEquals(6, session.view().copies().stream().filter(c -> c.state() == CopyState.INITIALIZING).count());
    }

    @Test
    void recordedPlacementsCountAgainstThrottles() {
        ClusterView view = cluster().node(node("n1")).topic(topic("t", 5, 0)).build();
        AllocationSession session = new Allocator().session(view, null);
        for (int q = 0; q < 4; q++) {
            session.placed(id("t", q, 0), "n1");
        }
        AllocationResult fifth = session.allocate(id("t", 4, 0));
        assertEquals(Decision.Type.THROTTLE, fifth.type());
        assertEquals(Optional.of("n1"), fifth.node());
    }

    @Test
    void placingAnAssignedCopyIsRejected() {
        ClusterView view = cluster().node(node("n1")).topic(topic("t", 1, 0)).copy(Copy.started(id("t", 0, 0), "n1", 0)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Allocator().session(view, null).placed(id("t", 0, 0), "n1"));
        assertEquals("copy [t][0][0] is STARTED, not unassigned", e.getMessage());
    }

    /** Three nodes; n1 is the heaviest (topic "other"), the master of t/0 runs on n3, its replica's data is on n1. */
    private static ClusterView replicaWithDataOn(String dataNode, String... settings) {
        return cluster(settings).node(node("n1")).node(node("n2")).node(node("n3"))
                .topic(topic("t", 1, 1)).topic(topic("other", 2, 0))
                .copy(Copy.started(id("other", 0, 0), "n1", 0)).copy(Copy.started(id("other", 1, 0), "n1", 0))
                .copy(Copy.started(id("t", 0, 0), "n3", 0))
                .copy(Copy.unassigned(id("t", 0, 1), UnassignedInfo.nodeLeft(dataNode), 0)).build();
    }

    @Test
    void aReplicaGoesBackToTheNodeHoldingItsDataRatherThanTheLightestNode() {
        AllocationResult r = new Allocator().session(replicaWithDataOn("n1"), null).allocate(id("t", 0, 1));
        assertEquals(Decision.Type.YES, r.type());
        assertEquals(Optional.of("n1"), r.node());
        assertEquals("the node holds the copy's data", r.explanation());
    }

    @Test
    void aReplicaWhoseDataNodeRefusesItGoesWhereBalanceSays() {
        ClusterView view = replicaWithDataOn("n1", "ferry.allocation.exclude._name", "n1");
        AllocationResult r = new Allocator().session(view, null).allocate(id("t", 0, 1));
        assertEquals(Optional.of("n2"), r.node());
    }

    @Test
    void aReplicaWhoseDataNodeIsGoneGoesWhereBalanceSays() {
        AllocationResult r = new Allocator().session(replicaWithDataOn("n9"), null).allocate(id("t", 0, 1));
        assertEquals(Optional.of("n2"), r.node());
    }

    @Test
    void aReplicaWaitsForItsDataNodeWhenThatNodeThrottles() {
        ClusterView view = replicaWithDataOn("n1", "ferry.allocation.node-concurrent-incoming-recoveries", "0");
        AllocationResult r = new Allocator().session(view, null).allocate(id("t", 0, 1));
        assertEquals(Decision.Type.THROTTLE, r.type());
        assertEquals(Optional.of("n1"), r.node());
    }

    @Test
    void aRoundPutsAReturningReplicaBackOnItsDataNode() {
        RoundResult round = new Allocator().round(replicaWithDataOn("n1"));
        assertEquals("n1", nodeOf(round.next(), id("t", 0, 1)));
    }
}
