package dev.ferry.allocation;

import java.util.Comparator;
import java.util.Objects;

/**
 * Names one copy of one queue: {@code topic/queue} is the master (copy 0), {@code topic/queue/n} replica n.
 * These are exactly the sharding entity ids of the Queue and Replica entities, see {@link #entityId()}.
 *
 * @param topic the topic name
 * @param queue the queue ordinal within the topic, from 0
 * @param copy  the copy number: 0 is the master, 1..replicas the replicas
 */
public record CopyId(String topic, int queue, int copy) implements Comparable<CopyId> {

    private static final Comparator<CopyId> ORDER = Comparator.comparing(CopyId::topic)
            .thenComparingInt(CopyId::queue).thenComparingInt(CopyId::copy);

    public CopyId {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic name must not be empty");
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue must be >= 0, was [" + queue + "]");
        }
        if (copy < 0) {
            throw new IllegalArgumentException("copy must be >= 0, was [" + copy + "]");
        }
    }

    /** @return the master copy of {@code topic/queue} */
    public static CopyId master(String topic, int queue) {
        return new CopyId(topic, queue, 0);
    }

    /** @return whether this is the master (copy 0) or a replica */
    public Role role() {
        return Role.ofCopy(copy);
    }

    /** @return the sharding entity id: {@code topic/queue} for the master, {@code topic/queue/copy} for a replica */
    public String entityId() {
        return copy == 0 ? topic + "/" + queue : topic + "/" + queue + "/" + copy;
    }

    /**
     * Parses an entity id as produced by {@link #entityId()}. The topic name itself must not contain {@code /}.
     *
     * @throws IllegalArgumentException if the id is not {@code topic/queue} or {@code topic/queue/copy}
     */
    public static CopyId parse(String entityId) {
        String[] parts = entityId.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("copy id [" + entityId + "] must be topic/queue or topic/queue/copy");
        }
        try {
            int queue = Integer.parseInt(parts[1]);
            int copy = parts.length == 3 ? Integer.parseInt(parts[2]) : 0;
            if (parts.length == 3 && copy == 0) {
                throw new IllegalArgumentException("copy id [" + entityId + "]: the master is written topic/queue, replicas are numbered from 1");
            }
            return new CopyId(parts[0], queue, copy);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("copy id [" + entityId + "] must be topic/queue or topic/queue/copy with numeric queue and copy");
        }
    }

    @Override
    public int compareTo(CopyId o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return "[" + topic + "][" + queue + "][" + copy + "]";
    }
}
