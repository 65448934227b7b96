package dev.ferry.allocation;

/**
 * A topic inside a {@link Routing}, with its queues. Not thread-safe.
 */
public final class RoutingTopic {
    private final int index;
    private final Topic topic;
    private final int copiesPerQueue;
    final RoutingQueue[] queues;
    long maxCopySize;

    RoutingTopic(int index, Topic topic, int copiesPerQueue, int nodes) {
        this.index = index;
        this.topic = topic;
        this.copiesPerQueue = copiesPerQueue;
        this.queues = new RoutingQueue[topic.queues()];
    }

    /** @return position in {@link Routing#topics()} */
    public int index() {
        return index;
    }

    /** @return the topic */
    public Topic topic() {
        return topic;
    }

    /** @return the topic's name */
    public String name() {
        return topic.name();
    }

    /** @return its parsed settings */
    public TopicSettings settings() {
        return topic.settings();
    }

    /** @return copies per queue (replicas + 1, auto-expand applied) */
    public int copiesPerQueue() {
        return copiesPerQueue;
    }

    /** @return all copies of the topic in the cluster, assigned or not */
    public int totalCopies() {
        return copiesPerQueue * queues.length;
    }

    /** @return queue {@code q} */
    public RoutingQueue queue(int q) {
        return queues[q];
    }

    /** @return number of queues */
    public int queueCount() {
        return queues.length;
    }

    /** @return the largest size of any of its copies (for the balance threshold) */
    public long maxCopySize() {
        return maxCopySize;
    }
}
