package dev.ferry.node;

import com.typesafe.config.Config;
import dev.ferry.broker.TopicSettings;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every ferry.* node setting, read from the Config once at start-up into records; nothing else reads ferry.* keys of the node section. */
public record FerrySettings(Node node, Path dataDir, Http http, Cluster cluster, TopicDefaults topic,
                            Consumer consumer, Queue queue, Duration diskReportInterval) {

    /** Node name plus attributes (zone, host, rack, tier; empty ones left out). */
    public record Node(String name, Map<String, String> attributes) {
        /** Cluster roles carrying the name and attributes, e.g. "name:n1", "attr:zone=a". */
        public List<String> roles() {
            List<String> roles = new ArrayList<>();
            roles.add(NAME_ROLE_PREFIX + name);
            attributes.forEach((k, v) -> roles.add(ATTR_ROLE_PREFIX + k + "=" + v));
            return roles;
        }
    }

    public static final String NAME_ROLE_PREFIX = "name:";
    public static final String ATTR_ROLE_PREFIX = "attr:";
    /** The cluster role carrying the node's advertised HTTP base URL, e.g. "http:http://10.0.0.1:8080". */
    public static final String HTTP_ROLE_PREFIX = "http:";

    /**
     * The node's cluster roles: name, attributes and advertised HTTP URL. A node on an ephemeral HTTP port
     * ({@code http.port = 0}, tests) advertises none: its port is known only after the cluster has started.
     */
    public List<String> roles() {
        List<String> roles = new ArrayList<>(node.roles());
        if (http.port() > 0) roles.add(HTTP_ROLE_PREFIX + http.advertisedUrl());
        return roles;
    }

    /** @param advertisedHost where producers reach the API (never a wildcard address) */
    /** @param maxBytesPerRead the byte budget of one read of a queue (the first message always goes, whatever its size) */
    public record Http(String host, int port, String advertisedHost, Duration askTimeout, Duration maxWait, int maxMessagesPerRead,
                       long maxBytesPerRead, Duration streamKeepAlive) {
        /** The base URL other nodes' clients use for this node, e.g. {@code http://10.0.0.1:8080}. */
        public String advertisedUrl() {
            String h = advertisedHost.contains(":") && !advertisedHost.startsWith("[") ? "[" + advertisedHost + "]" : advertisedHost;
            return "http://" + h + ":" + port;
        }
    }

    public record Cluster(String host, int port, List<String> seedNodes) {}

    public record TopicDefaults(int queueNums, int replicas, boolean autoCreate, long maxMessageSize,
                                TopicSettings.Replication replication, TopicSettings.Flush flush) {
        public TopicSettings toSettings() {
            return new TopicSettings(queueNums, replicas, replication, flush, maxMessageSize, Map.of());
        }
    }

    public enum ConsumeFrom { FIRST_OFFSET, LAST_OFFSET }

    public record Consumer(Duration sessionTimeout, ConsumeFrom consumeFrom) {}

    public record Queue(int maxBatchMessages, long readCacheBytes) {}

    public static FerrySettings from(Config config) {
        Config f = config.getConfig("ferry");
        Cluster cluster = new Cluster(f.getString("cluster.host"), f.getInt("cluster.port"), f.getStringList("cluster.seed-nodes"));
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String key : List.of("zone", "host", "rack", "tier")) {
            String v = f.getString("node.attributes." + key);
            if (key.equals("host") && v.isEmpty()) v = hostname();
            if (!v.isEmpty()) attrs.put(key, v);
        }
        String name = f.getString("node.name");
        if (name.isEmpty()) name = hostname() + "-" + cluster.port();
        Node node = new Node(name, attrs);
        String httpHost = f.getString("http.host");
        String advertised = f.getString("http.advertised-host");
        if (advertised.isEmpty()) advertised = WILDCARDS.contains(httpHost) ? cluster.host() : httpHost;
        if (f.getBytes("http.max-bytes-per-read") < 1)
            throw new IllegalArgumentException("ferry.http.max-bytes-per-read must be at least 1 byte, was " + f.getBytes("http.max-bytes-per-read"));
        Http http = new Http(httpHost, f.getInt("http.port"), advertised, f.getDuration("http.ask-timeout"),
                f.getDuration("http.max-wait"), f.getInt("http.max-messages-per-read"), f.getBytes("http.max-bytes-per-read"), f.getDuration("http.stream-keep-alive"));
        TopicDefaults topic = new TopicDefaults(f.getInt("topic.default-topic-queue-nums"), f.getInt("topic.default-replicas"),
                f.getBoolean("topic.auto-create-topic-enable"), f.getBytes("topic.max-message-size"),
                TopicSettings.Replication.parse(f.getString("topic.replication")), TopicSettings.Flush.parse(f.getString("topic.flush")));
        String from = f.getString("consumer.consume-from-where");
        Consumer consumer = new Consumer(f.getDuration("consumer.session-timeout"), switch (from) {
            case "first-offset" -> ConsumeFrom.FIRST_OFFSET;
            case "last-offset" -> ConsumeFrom.LAST_OFFSET;
            default -> throw new IllegalArgumentException("ferry.consumer.consume-from-where must be first-offset or last-offset, was " + from);
        });
        Queue queue = new Queue(f.getInt("queue.max-batch-messages"), f.getBytes("queue.read-cache-bytes"));
        return new FerrySettings(node, Path.of(f.getString("data-dir")), http, cluster, topic, consumer, queue,
                // One setting for allocation and the publisher: ES's cluster.info.update.interval, owned by allocation.
                f.getDuration("allocation.disk.report-interval"));
    }

    private static final List<String> WILDCARDS = List.of("0.0.0.0", "::", "[::]", "");

    private static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
