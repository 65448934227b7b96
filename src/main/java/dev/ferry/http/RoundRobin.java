package dev.ferry.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The round-robin queue choice of sends without a queue or sharding key: one counter per topic, as RocketMQ's
 * TopicPublishInfo keeps its sendWhichQueue. One counter shared by every topic skewed them: sends alternating between
 * two topics of two queues each always put one topic on queue 0 and the other on queue 1.
 *
 * <p>A topic's counter starts at a random queue, so every node's first send to it does not land on queue 0. The
 * counters are bounded: past {@link #MAX_TOPICS} topics (deleted ones included, there is no hook for those here) the
 * map is emptied and counters start again, which costs only the evenness of the sends in flight at that moment.
 */
final class RoundRobin {
    static final int MAX_TOPICS = 10_000;

    private final int maxTopics;
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    RoundRobin() {
        this(MAX_TOPICS);
    }

    RoundRobin(int maxTopics) {
        this.maxTopics = maxTopics;
    }

    /** The next of {@code topic}'s {@code queues} queues. */
    int next(String topic, int queues) {
        AtomicInteger c = counters.get(topic);
        if (c == null) {
            if (counters.size() >= maxTopics) counters.clear();
            c = counters.computeIfAbsent(topic, t -> new AtomicInteger(ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE)));
        }
        return Math.floorMod(c.getAndIncrement(), queues);
    }

    int topics() {
        return counters.size();
    }
}
