package dev.ferry.broker;

import dev.ferry.cluster.CborSerializable;

import java.util.ArrayList;
import java.util.List;

/**
 * A topic's metadata as the Broker entity keeps it in durable Distributed Data (key {@code topic-<name>}) and every
 * node's route table reads it: settings plus one {@link QueueRoute} per queue. A deleted topic stays as a tombstone
 * ({@code deleted = true}) because a deleted ddata key can never be written again; re-creating the topic bumps
 * {@code incarnation}, which is part of its queues' persistence ids so old messages never reappear.
 */
public record TopicState(String name, TopicSettings settings, List<QueueRoute> queues, long incarnation,
                         boolean deleted, long createdAt, long version) implements CborSerializable {

    public TopicState {
        queues = List.copyOf(queues);
    }

    public boolean live() {
        return !deleted;
    }

    public TopicState withSettings(TopicSettings s) {
        List<QueueRoute> qs = new ArrayList<>(queues);
        for (int q = qs.size(); q < s.queues(); q++) qs.add(QueueRoute.fresh(q));
        return new TopicState(name, s, qs, incarnation, deleted, createdAt, version + 1);
    }

    public TopicState withQueue(QueueRoute r) {
        List<QueueRoute> qs = new ArrayList<>(queues);
        qs.set(r.queueId(), r);
        return new TopicState(name, settings, qs, incarnation, deleted, createdAt, version + 1);
    }

    public TopicState asDeleted() {
        return new TopicState(name, settings, queues, incarnation, true, createdAt, version + 1);
    }

    /** The persistence id of queue {@code q} of this incarnation: "topic/q", or "topic~N/q" after N re-creations. */
    public String persistenceId(int q) {
        return persistenceId(name, incarnation, q);
    }

    public static String persistenceId(String topic, long incarnation, int q) {
        return incarnation == 0 ? topic + "/" + q : topic + "~" + incarnation + "/" + q;
    }
}
