package dev.ferry.group;

import dev.ferry.broker.TopicState;

/**
 * Which queue a committed offset belongs to: a queue of one incarnation of a topic (re-creating a deleted topic makes
 * a new incarnation whose queues start empty, so an offset of the old one means nothing in it). In Distributed Data
 * the key is the queue's persistence id ("topic/q", "topic~N/q" after N re-creations; topic names cannot hold '~'),
 * so the offsets stored before incarnations were told apart read as incarnation 0.
 */
record OffsetKey(String topic, long incarnation, int queueId) {

    String key() {
        return TopicState.persistenceId(topic, incarnation, queueId);
    }

    /** The key's parts, or null for a key this version does not know. */
    static OffsetKey parse(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0) return null;
        String topicPart = key.substring(0, slash);
        int tilde = topicPart.lastIndexOf('~');
        try {
            int queueId = Integer.parseInt(key.substring(slash + 1));
            return tilde < 0 ? new OffsetKey(topicPart, 0, queueId)
                    : new OffsetKey(topicPart.substring(0, tilde), Long.parseLong(topicPart.substring(tilde + 1)), queueId);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
