package dev.ferry.broker;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Terms, promotion and in-sync bookkeeping of one queue's routing state (pure values). */
class QueueRouteTest {

    static final QueueRoute RUNNING = new QueueRoute(0, 0, 4, List.of(0, 1), Map.of(0, "a", 1, "b", 2, "c"));

    @Test
    void aBrandNewQueueStartsInPlaceWithTheNextTerm() {
        QueueRoute r = QueueRoute.fresh(3).promotedOn("x");
        assertEquals(2, r.term());
        assertEquals("x", r.masterNode());
        assertEquals(List.of(0), r.inSync());
    }

    @Test
    void aMasterRestartingOnItsOwnNodeBumpsTheTermAndKeepsTheInSyncSet() {
        QueueRoute r = RUNNING.promotedOn("a");
        assertEquals(5, r.term());
        assertEquals(RUNNING.inSync(), r.inSync());
        assertEquals(RUNNING.nodes(), r.nodes());
    }

    @Test
    void promotionOntoAnInSyncReplicaSwapsSlotsAndTakesTheFormerMastersSlotOutOfSync() {
        QueueRoute r = RUNNING.promotedOn("b");
        assertEquals(5, r.term());
        assertEquals("b", r.masterNode());
        assertEquals("a", r.nodes().get(1));
        assertEquals(List.of(0), r.inSync());
    }

    @Test
    void noMasterStartsOnANodeWhoseCopyIsNotInSync() {
        assertNull(RUNNING.promotedOn("c"));
        assertNull(RUNNING.promotedOn("elsewhere"));
    }

    @Test
    void anInSyncSetFromAStaleTermIsRefused() {
        assertNull(RUNNING.withInSync(3, List.of(1, 2), Map.of()));
        assertEquals(List.of(0, 1, 2), RUNNING.withInSync(4, List.of(1, 2), Map.of()).inSync());
    }

    @Test
    void aReplicaSlotThatMovesToAnotherNodeLeavesTheInSyncSet() {
        QueueRoute r = RUNNING.withReplicaOn(1, "d");
        assertEquals("d", r.nodes().get(1));
        assertEquals(List.of(0), r.inSync());
        assertEquals(RUNNING.inSync(), RUNNING.withReplicaOn(1, "b").inSync());
    }

    @Test
    void aReplicaSlotsLateFirstStartReportKeepsItInTheInSyncSet() {
        QueueRoute joined = QueueRoute.fresh(0).promotedOn("a").withInSync(2, List.of(1), Map.of());
        assertEquals(List.of(0, 1), joined.inSync());
        QueueRoute reported = joined.withReplicaOn(1, "b");
        assertEquals("b", reported.nodes().get(1));
        assertEquals(List.of(0, 1), reported.inSync(), "the master added the running replica before its start was reported");
    }

    @Test
    void anInSyncReportRecordsEachCopyOnTheNodeItsMasterHeardItFrom() {
        // Copy 2 moved from c to d and caught up there before the Broker heard of the move: the report is the truth.
        QueueRoute r = RUNNING.withInSync(4, List.of(1, 2), Map.of(1, "b", 2, "d"));
        assertEquals(Map.of(0, "a", 1, "b", 2, "d"), r.nodes());
        assertEquals("d", r.promotedOn("d").masterNode());
        assertNull(r.promotedOn("c"), "the copy's old node holds no in-sync data");
    }

    @Test
    void anInSyncReportNeverMovesTheMastersSlotOrNamesCopiesOutsideTheSet() {
        QueueRoute r = RUNNING.withInSync(4, List.of(1), Map.of(0, "x", 1, "b", 2, "d"));
        assertEquals(Map.of(0, "a", 1, "b", 2, "c"), r.nodes());
    }
}
