package dev.ferry.broker;

import dev.ferry.cluster.CborSerializable;

import java.util.HashMap;
import java.util.Map;

/**
 * A change to a topic's settings; null fields keep their value, a null value in {@code settings} removes that key.
 * Queues may only grow (RocketMQ likewise never shrinks a topic's queues while messages may be in them).
 */
public record SettingsPatch(Integer queues, Integer replicas, TopicSettings.Replication replication,
                            TopicSettings.Flush flush, Long maxMessageSize, Map<String, String> settings)
        implements CborSerializable {

    /** The patched settings, or an IllegalArgumentException saying which field is wrong. */
    public TopicSettings applyTo(TopicSettings s) {
        if (queues != null && queues < s.queues())
            throw new IllegalArgumentException("queues can only grow: topic has " + s.queues() + ", asked for " + queues);
        Map<String, String> merged = new HashMap<>(s.settings());
        if (settings != null) settings.forEach((k, v) -> { if (v == null) merged.remove(k); else merged.put(k, v); });
        TopicSettings next = new TopicSettings(
                queues != null ? queues : s.queues(),
                replicas != null ? replicas : s.replicas(),
                replication != null ? replication : s.replication(),
                flush != null ? flush : s.flush(),
                maxMessageSize != null ? maxMessageSize : s.maxMessageSize(),
                merged);
        String problem = next.validate();
        if (problem != null) throw new IllegalArgumentException(problem);
        return next;
    }
}
