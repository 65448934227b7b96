package dev.ferry.broker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.cluster.CborSerializable;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A topic's settings: queue count, replica copies per queue besides the master (as Elasticsearch's number_of_replicas), replication and flush modes, largest message, and the free-form
 * index-level settings (allocation filters such as {@code allocation.require.zone}, retention) handed to allocation.
 */
public record TopicSettings(int queues, int replicas, Replication replication, Flush flush, long maxMessageSize,
                            Map<String, String> settings) implements CborSerializable {

    public static final int MAX_QUEUES = 1024;
    public static final int MAX_REPLICAS = 16;

    public TopicSettings {
        settings = settings == null ? Map.of() : Map.copyOf(new TreeMap<>(settings));
    }

    /** RocketMQ brokerRole: ASYNC_MASTER / SYNC_MASTER. */
    public enum Replication {
        ASYNC, SYNC;

        @JsonValue public String json() { return name().toLowerCase(Locale.ROOT); }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING) public static Replication parse(String s) {
            return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
                case "async" -> ASYNC;
                case "sync" -> SYNC;
                default -> throw new IllegalArgumentException("replication must be \"sync\" or \"async\", was \"" + s + "\"");
            };
        }
    }

    /** RocketMQ flushDiskType: ASYNC_FLUSH / SYNC_FLUSH. Picks the journal plugin of the topic's queues. */
    public enum Flush {
        ASYNC, SYNC;

        @JsonValue public String json() { return name().toLowerCase(Locale.ROOT); }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING) public static Flush parse(String s) {
            return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
                case "async" -> ASYNC;
                case "sync" -> SYNC;
                default -> throw new IllegalArgumentException("flush must be \"sync\" or \"async\", was \"" + s + "\"");
            };
        }

        /** The Akka Persistence plugin id a queue of this flush mode writes through. */
        public String journalPluginId() {
            return this == SYNC ? "ferry.journal-sync" : "ferry.journal";
        }
    }

    /** Checks the ranges; returns an error detail or null. */
    public String validate() {
        if (queues < 1 || queues > MAX_QUEUES) return "queues must be between 1 and " + MAX_QUEUES + ", was " + queues;
        if (replicas < 0 || replicas > MAX_REPLICAS) return "replicas (replica copies per queue besides the master) must be between 0 and " + MAX_REPLICAS + ", was " + replicas;
        if (maxMessageSize < 1) return "max-message-size must be positive, was " + maxMessageSize;
        return null;
    }
}
