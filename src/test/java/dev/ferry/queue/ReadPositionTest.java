package dev.ferry.queue;

import org.junit.jupiter.api.Test;

import static dev.ferry.queue.ReadPosition.Status.FOUND;
import static dev.ferry.queue.ReadPosition.Status.OFFSET_OVERFLOW_BADLY;
import static dev.ferry.queue.ReadPosition.Status.OFFSET_OVERFLOW_ONE;
import static dev.ferry.queue.ReadPosition.Status.OFFSET_TOO_SMALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a read starts for an offset inside, at, beyond or below a queue holding offsets 2..5 (maxOffset 6). */
class ReadPositionTest {

    static final long MIN = 2, MAX = 6;

    @Test
    void anOffsetInsideTheQueueIsServedFromThere() {
        assertEquals(new ReadPosition(FOUND, 4), ReadPosition.of(4, MIN, MAX, MAX));
    }

    @Test
    void anOffsetAtMaxOffsetWaitsThereForTheNextMessage() {
        ReadPosition at = ReadPosition.of(6, MIN, MAX, MAX);
        assertEquals(new ReadPosition(OFFSET_OVERFLOW_ONE, 6), at);
        assertTrue(at.atEnd(MAX));
    }

    @Test
    void anOffsetBeyondMaxOffsetIsSentBackToMaxOffset() {
        ReadPosition at = ReadPosition.of(100, MIN, MAX, MAX);
        assertEquals(new ReadPosition(OFFSET_OVERFLOW_BADLY, 6), at);
        assertTrue(at.atEnd(MAX), "nothing is served from beyond the end");
    }

    @Test
    void anOffsetBelowMinOffsetStartsAtMinOffset() {
        ReadPosition at = ReadPosition.of(0, MIN, MAX, MAX);
        assertEquals(new ReadPosition(OFFSET_TOO_SMALL, 2), at);
        assertFalse(at.atEnd(MAX));
    }

    @Test
    void anOffsetStoredButNotYetCommittedWaitsThereInsteadOfGoingBack() {
        // a sync topic: the master stores up to 9, every in-sync replica holds up to 6
        assertEquals(new ReadPosition(OFFSET_OVERFLOW_ONE, 8), ReadPosition.of(8, MIN, MAX, 9));
    }

    @Test
    void statusesAreShownInSnakeCase() {
        assertEquals("offset_overflow_badly", OFFSET_OVERFLOW_BADLY.json());
        assertEquals("found", FOUND.json());
    }

    @Test
    void theEndMarkerStartsAtMaxOffsetAndWaitsThere() {
        ReadPosition at = ReadPosition.of(ReadPosition.END, MIN, MAX, MAX);
        assertEquals(new ReadPosition(OFFSET_OVERFLOW_ONE, MAX), at);
        assertTrue(at.atEnd(MAX));
    }
}
