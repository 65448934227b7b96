package dev.ferry.allocation;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as allocation sees it.
 *
 * @param name        the topic name (no {@code /})
 * @param queues      how many queues it has, >= 1
 * @param settings    its parsed {@code topic.*} settings (replica count included)
 * @param rawSettings the {@code topic.*} settings as given, for printing and merging
 * @param sizeBytes   expected size in bytes of one copy of one of its queues, used until a copy reports its own
 * @param writeLoad   forecast write load of one copy (for {@code balance.write-load}), 0 when unknown
 * @param createdAt   when the topic was created (any increasing clock: epoch millis live, creation order in the
 *                    simulator), 0 when unknown; newer topics' copies are placed first (ES's creation date)
 */
public record Topic(String name, int queues, TopicSettings settings, Map<String, String> rawSettings, long sizeBytes, double writeLoad,
                    long createdAt) {

    public Topic {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("topic name [" + name + "] must be non-empty and contain no '/'");
        }
        if (queues < 1) {
            throw new IllegalArgumentException("topic [" + name + "]: queues must be >= 1, was [" + queues + "]");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("topic [" + name + "]: sizeBytes must be >= 0");
        }
        if (!(writeLoad >= 0)) {
            throw new IllegalArgumentException("topic [" + name + "]: writeLoad must be >= 0");
        }
        rawSettings = java.util.Collections.unmodifiableMap(new TreeMap<>(rawSettings));
    }

    /** A topic whose creation time is unknown (0). */
    public Topic(String name, int queues, TopicSettings settings, Map<String, String> rawSettings, long sizeBytes, double writeLoad) {
        this(name, queues, settings, rawSettings, sizeBytes, writeLoad, 0);
    }

    /**
     * A topic from its raw {@code topic.*} settings; {@code replicas} is stored as {@code topic.replicas}.
     *
     * @throws InvalidSettingException naming the key of a bad setting
     */
    public static Topic of(String name, int queues, int replicas, Map<String, String> settings) {
        Map<String, String> raw = new HashMap<>(settings);
        raw.put(TopicSettings.REPLICAS, Integer.toString(replicas));
        return new Topic(name, queues, TopicSettings.parse(raw), raw, 0, 0);
    }

    /** @return this topic with its raw settings replaced (null values remove a key), re-parsed */
    public Topic withSettings(Map<String, String> changes) {
        Map<String, String> raw = SettingValues.changed(rawSettings, changes);
        return new Topic(name, queues, TopicSettings.parse(raw), raw, sizeBytes, writeLoad, createdAt);
    }

    /** @return this topic with a different expected copy size */
    public Topic withSizeBytes(long bytes) {
        return new Topic(name, queues, settings, rawSettings, bytes, writeLoad, createdAt);
    }

    /** @return this topic with a different write-load forecast per copy */
    public Topic withWriteLoad(double load) {
        return new Topic(name, queues, settings, rawSettings, sizeBytes, load, createdAt);
    }

    /** @return this topic with a creation time (see {@link #createdAt()}) */
    public Topic withCreatedAt(long time) {
        return new Topic(name, queues, settings, rawSettings, sizeBytes, writeLoad, time);
    }
}
