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
}
