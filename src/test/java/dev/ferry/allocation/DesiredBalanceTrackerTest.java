package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class DesiredBalanceTrackerTest {

    private static ClusterView placed() {
        return settle(cluster().node(node("n1")).node(node("n2")).topic(topic("t", 8, 1)).build());
    }

    @Test
    void theBalanceIsReusedWhileCopiesMoveTowardsIt() {
        DesiredBalanceTracker tracker = new DesiredBalanceTracker(new Allocator());
        ClusterView view = placed().toBuilder().node(node("n3")).build();
        DesiredBalance first = tracker.desiredBalance(view);
        for (int i = 0; i < 20; i++) {
            RoundResult r = tracker.round(view);
            view = Recoveries.complete(r.next());
        }
        assertEquals(1, tracker.computations());
        assertSame(first, tracker.desiredBalance(view));
    }

    @Test
    void aJoiningNodeMakesItRecompute() {
        DesiredBalanceTracker tracker = new DesiredBalanceTracker(new Allocator());
        ClusterView view = placed();
        tracker.desiredBalance(view);
        tracker.desiredBalance(view.toBuilder().node(node("n3")).build());
        assertEquals(2, tracker.computations());
    }

    @Test
    void aCopyLeavingItsPlaceUnexpectedlyMakesItRecompute() {
        DesiredBalanceTracker tracker = new DesiredBalanceTracker(new Allocator());
        ClusterView view = placed();
        tracker.desiredBalance(view);
        ClusterView failed = view.toBuilder().copy(Copy.unassigned(id("t", 0, 1), UnassignedInfo.of(UnassignedInfo.Reason.ALLOCATION_FAILED), 0)).build();
        tracker.desiredBalance(failed);
        assertEquals(2, tracker.computations());
    }
}
