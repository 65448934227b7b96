package dev.ferry.group;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RocketMQ's averaging assignment: contiguous runs, the first consumers one more, every queue exactly once. */
class QueueAssignmentTest {

    @ParameterizedTest
    @CsvSource({"4,2", "4,3", "8,3", "3,5", "1,1", "16,16", "7,1"})
    void everyQueueIsAssignedToExactlyOneConsumer(int queues, int consumers) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < consumers; i++) names.add("c" + i);
        List<Integer> all = new ArrayList<>();
        for (String c : names) all.addAll(QueueAssignment.averagely(queues, names, c));
        all.sort(Integer::compare);
        List<Integer> expected = new ArrayList<>();
        for (int q = 0; q < queues; q++) expected.add(q);
        assertEquals(expected, all);
    }

    @Test
    void theFirstConsumersTakeTheRemainder() {
        List<String> names = List.of("a", "b", "c");
        assertEquals(List.of(0, 1, 2), QueueAssignment.averagely(8, names, "a"));
        assertEquals(List.of(3, 4, 5), QueueAssignment.averagely(8, names, "b"));
        assertEquals(List.of(6, 7), QueueAssignment.averagely(8, names, "c"));
    }

    @Test
    void consumersBeyondTheQueueCountGetNothing() {
        List<String> names = List.of("a", "b", "c");
        assertEquals(List.of(1), QueueAssignment.averagely(2, names, "b"));
        assertTrue(QueueAssignment.averagely(2, names, "c").isEmpty());
    }

    @Test
    void anUnknownConsumerGetsNothing() {
        assertTrue(QueueAssignment.averagely(4, List.of("a"), "z").isEmpty());
    }
}
