package dev.ferry.group;

import java.util.ArrayList;
import java.util.List;

/**
 * RocketMQ's AllocateMessageQueueAveragely: with consumers sorted by name and queues by id, consumer i gets a
 * contiguous run of queues, the first (queues mod consumers) consumers one more than the rest. Deterministic, so every
 * pull computes the same answer without extra state.
 */
public final class QueueAssignment {
    private QueueAssignment() {}

    /** The queue ids {@code consumer} owns among {@code sortedConsumers}; empty if it is not one of them or has none. */
    public static List<Integer> averagely(int queues, List<String> sortedConsumers, String consumer) {
        int index = sortedConsumers.indexOf(consumer);
        List<Integer> mine = new ArrayList<>();
        if (index < 0 || queues == 0) return mine;
        int n = sortedConsumers.size();
        int mod = queues % n;
        int size = queues <= n ? 1 : (mod > 0 && index < mod ? queues / n + 1 : queues / n);
        int start = (mod > 0 && index < mod) ? index * size : index * size + mod;
        int range = Math.min(size, queues - start);
        for (int i = 0; i < range; i++) mine.add((start + i) % queues);
        return mine;
    }
}
