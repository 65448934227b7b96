package dev.ferry.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The drain's count: distinct (queue, offset) messages toward progress, redeliveries apart, never past the target. */
class DrainedTest {

    private static MessagePage page(int[] queues, long[] offsets) {
        return new MessagePage(queues.length, queues, offsets, new int[queues.length], -1);
    }

    @Test
    void aMessageDeliveredAgainIsARedeliveryNotProgress() {
        Drained d = new Drained(Map.of(0, 0L, 1, 0L), 100);
        d.count(page(new int[]{0, 0, 1}, new long[]{0, 1, 0}), d.claim(10));
        Drained.Counted again = d.count(page(new int[]{0, 0, 1, 1}, new long[]{0, 1, 0, 1}), d.claim(10));
        assertEquals(1, again.messages());
        assertEquals(3, again.redelivered());
    }

    @Test
    void claimsStopAtTheTargetAndUnusedClaimsComeBack() {
        Drained d = new Drained(Map.of(0, 0L), 15);
        int first = d.claim(10);
        assertEquals(10, first);
        d.count(page(new int[]{0, 0, 0}, new long[]{0, 1, 2}), first);
        assertEquals(12, d.claim(100), "3 read of 15, the 7 not read handed back");
        assertEquals(0, d.claim(1));
    }

    @Test
    void aPageLargerThanItsClaimIsTrimmed() {
        Drained d = new Drained(Map.of(0, 0L), 100);
        Drained.Counted c = d.count(page(new int[]{0, 0, 0}, new long[]{0, 1, 2}), 2);
        assertEquals(2, c.messages());
        assertArrayEquals(new boolean[]{true, true, false}, c.kept());
    }

    @Test
    void offsetsCountFromEachQueuesFirstOffset() {
        Drained d = new Drained(Map.of(0, 1_000_000L), 100);
        assertEquals(1, d.count(page(new int[]{0}, new long[]{1_000_005}), 1).messages());
        assertEquals(1, d.count(page(new int[]{0}, new long[]{1_000_005}), 1).redelivered());
    }
}
