package dev.ferry.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundRobinTest {

    @Test
    void eachTopicCyclesThroughItsQueuesWhateverTheOtherTopicsGet() {
        RoundRobin rr = new RoundRobin();
        int[][] counts = new int[2][3];
        for (int i = 0; i < 30; i++) {
            counts[0][rr.next("rrA", 3)]++;
            counts[1][rr.next("rrB", 3)]++;
        }
        for (int[] c : counts) assertEquals("[10, 10, 10]", java.util.Arrays.toString(c));
    }

    @Test
    void consecutiveSendsToATopicTakeTheNextQueue() {
        RoundRobin rr = new RoundRobin();
        int first = rr.next("t", 4);
        rr.next("other", 4);
        assertEquals((first + 1) % 4, rr.next("t", 4));
    }

    @Test
    void theCountersAreBoundedInNumber() {
        RoundRobin rr = new RoundRobin(100);
        for (int i = 0; i < 1_000; i++) rr.next("t" + i, 2);
        assertTrue(rr.topics() <= 100, "counters kept: " + rr.topics());
        assertNotEquals(0, rr.topics());
    }
}
