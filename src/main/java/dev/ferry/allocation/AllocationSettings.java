package dev.ferry.allocation;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cluster-wide allocation settings ({@code ferry.allocation.*} and {@code ferry.max-queue-copies-per-node}),
 * each the Ferry counterpart of an Elasticsearch setting (see docs/allocation.md).
 *
 * @param enable                      {@code ferry.allocation.enable}: which copies may be placed
 * @param rebalanceEnable             {@code ferry.allocation.rebalance.enable}: which copies balancing may move
 * @param allowRebalance              {@code ferry.allocation.allow-rebalance}: how settled the cluster must be before balancing
 * @param filters                     {@code ferry.allocation.require|include|exclude.ATTR}
 * @param sameQueueHost               {@code ferry.allocation.same-queue.host}: no two copies of a queue on one host
 * @param awarenessAttributes         {@code ferry.allocation.awareness.attributes}
 * @param awarenessForce              {@code ferry.allocation.awareness.force.ATTR.values}
 * @param diskThresholdEnabled        {@code ferry.allocation.disk.threshold-enabled}
 * @param watermarks                  {@code ferry.allocation.disk.watermark.*}
 * @param rerouteIntervalMillis       {@code ferry.allocation.disk.reroute-interval}: least time between disk-triggered rounds
 * @param reportIntervalMillis        {@code ferry.allocation.disk.report-interval}: how often nodes publish disk usage
 * @param totalQueuesPerNode          {@code ferry.allocation.total-queues-per-node}: max copies of all topics on a node, -1 unlimited
 * @param incomingRecoveries          {@code ferry.allocation.node-concurrent-incoming-recoveries}
 * @param outgoingRecoveries          {@code ferry.allocation.node-concurrent-outgoing-recoveries}
 * @param initialMasterRecoveries     {@code ferry.allocation.node-initial-master-recoveries}
 * @param clusterConcurrentRebalance  {@code ferry.allocation.cluster-concurrent-rebalance}, -1 unlimited
 * @param maxQueueCopiesPerNode       {@code ferry.max-queue-copies-per-node}: cluster-wide cap on copies, times the node count
 * @param balanceQueue                {@code ferry.allocation.balance.queue} (ES balance.shard)
 * @param balanceTopic                {@code ferry.allocation.balance.topic} (ES balance.index)
 * @param balanceWriteLoad            {@code ferry.allocation.balance.write-load}
 * @param balanceDiskUsage            {@code ferry.allocation.balance.disk-usage}
 * @param balanceThreshold            {@code ferry.allocation.balance.threshold}, >= 1.0
 * @param desiredBalance              {@code ferry.allocation.type}: true for {@code desired_balance}, false for the greedy {@code balanced}
 * @param undesiredThreshold          {@code ferry.allocation.desired-balance.undesired-allocations.threshold}
 */
public record AllocationSettings(AllocationEnable enable, RebalanceEnable rebalanceEnable, AllowRebalance allowRebalance,
                                 AttributeFilters filters, boolean sameQueueHost,
                                 List<String> awarenessAttributes, Map<String, List<String>> awarenessForce,
                                 boolean diskThresholdEnabled, DiskWatermarks watermarks,
                                 long rerouteIntervalMillis, long reportIntervalMillis,
                                 int totalQueuesPerNode, int incomingRecoveries, int outgoingRecoveries, int initialMasterRecoveries,
                                 int clusterConcurrentRebalance, int maxQueueCopiesPerNode,
                                 double balanceQueue, double balanceTopic, double balanceWriteLoad, double balanceDiskUsage,
                                 double balanceThreshold, boolean desiredBalance, double undesiredThreshold) {

    public static final String PREFIX = "ferry.allocation.";
    public static final String ENABLE = "ferry.allocation.enable";
    public static final String REBALANCE_ENABLE = "ferry.allocation.rebalance.enable";
    public static final String ALLOW_REBALANCE = "ferry.allocation.allow-rebalance";
    public static final String SAME_QUEUE_HOST = "ferry.allocation.same-queue.host";
    public static final String AWARENESS_ATTRIBUTES = "ferry.allocation.awareness.attributes";
    public static final String AWARENESS_FORCE = "ferry.allocation.awareness.force.";
    public static final String DISK_THRESHOLD_ENABLED = "ferry.allocation.disk.threshold-enabled";
    public static final String REROUTE_INTERVAL = "ferry.allocation.disk.reroute-interval";
    public static final String REPORT_INTERVAL = "ferry.allocation.disk.report-interval";
    public static final String TOTAL_QUEUES_PER_NODE = "ferry.allocation.total-queues-per-node";
    public static final String NODE_CONCURRENT_RECOVERIES = "ferry.allocation.node-concurrent-recoveries";
    public static final String NODE_CONCURRENT_INCOMING = "ferry.allocation.node-concurrent-incoming-recoveries";
    public static final String NODE_CONCURRENT_OUTGOING = "ferry.allocation.node-concurrent-outgoing-recoveries";
    public static final String NODE_INITIAL_MASTER_RECOVERIES = "ferry.allocation.node-initial-master-recoveries";
    public static final String CLUSTER_CONCURRENT_REBALANCE = "ferry.allocation.cluster-concurrent-rebalance";
    public static final String MAX_QUEUE_COPIES_PER_NODE = "ferry.max-queue-copies-per-node";
    public static final String BALANCE_QUEUE = "ferry.allocation.balance.queue";
    public static final String BALANCE_TOPIC = "ferry.allocation.balance.topic";
    public static final String BALANCE_WRITE_LOAD = "ferry.allocation.balance.write-load";
    public static final String BALANCE_DISK_USAGE = "ferry.allocation.balance.disk-usage";
    public static final String BALANCE_THRESHOLD = "ferry.allocation.balance.threshold";
    public static final String TYPE = "ferry.allocation.type";
    public static final String UNDESIRED_THRESHOLD = "ferry.allocation.desired-balance.undesired-allocations.threshold";

    private static final List<String> KNOWN = List.of(ENABLE, REBALANCE_ENABLE, ALLOW_REBALANCE, SAME_QUEUE_HOST, AWARENESS_ATTRIBUTES,
            DISK_THRESHOLD_ENABLED, DiskWatermarks.LOW, DiskWatermarks.HIGH, DiskWatermarks.FLOOD, DiskWatermarks.LOW_HEADROOM,
            DiskWatermarks.HIGH_HEADROOM, DiskWatermarks.FLOOD_HEADROOM, "ferry.allocation.disk.watermark.low.max-headroom",
            "ferry.allocation.disk.watermark.high.max-headroom", "ferry.allocation.disk.watermark.flood-stage.max-headroom",
            REROUTE_INTERVAL, REPORT_INTERVAL, TOTAL_QUEUES_PER_NODE, NODE_CONCURRENT_RECOVERIES, NODE_CONCURRENT_INCOMING,
            NODE_CONCURRENT_OUTGOING, NODE_INITIAL_MASTER_RECOVERIES, CLUSTER_CONCURRENT_REBALANCE, BALANCE_QUEUE, BALANCE_TOPIC,
            BALANCE_WRITE_LOAD, BALANCE_DISK_USAGE, BALANCE_THRESHOLD, TYPE, UNDESIRED_THRESHOLD,
            "ferry.allocation.desired-balance.progress-log-interval",
            "ferry.allocation.desired-balance.undesired-allocations.log-interval");

    /** The defaults: what an empty map parses to. */
    public static final AllocationSettings DEFAULTS = parse(Map.of());

    public AllocationSettings {
        awarenessAttributes = List.copyOf(awarenessAttributes);
        awarenessForce = java.util.Collections.unmodifiableMap(new TreeMap<>(awarenessForce));
    }

    /**
     * Parses the allocation settings out of a flat map of setting keys to string values. Keys outside
     * {@code ferry.allocation.} (other than {@code ferry.max-queue-copies-per-node}) are ignored, so a whole flattened
     * {@code ferry} config may be passed; unknown keys inside it are rejected. Null or empty values mean "not set".
     *
     * @throws InvalidSettingException naming the key when a value is malformed or inconsistent
     */
    public static AllocationSettings parse(Map<String, String> map) {
        for (String key : map.keySet()) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key) && !key.startsWith(PREFIX + "require.")
                    && !key.startsWith(PREFIX + "include.") && !key.startsWith(PREFIX + "exclude.") && !key.startsWith(AWARENESS_FORCE)) {
                throw new InvalidSettingException(key, "unknown allocation setting [" + key + "]; see docs/allocation.md for the settings");
            }
        }
        Map<String, List<String>> force = new TreeMap<>();
        for (String key : map.keySet()) {
            if (key.startsWith(AWARENESS_FORCE)) {
                String rest = key.substring(AWARENESS_FORCE.length());
                int dot = rest.indexOf('.');
                if (dot <= 0 || !rest.substring(dot + 1).equals("values")) {
                    throw new InvalidSettingException(key, "setting [" + key + "]: only [" + AWARENESS_FORCE + "ATTR.values] is allowed under ["
                            + AWARENESS_FORCE + "]");
                }
                List<String> values = SettingValues.list(map, key);
                if (!values.isEmpty()) {
                    force.put(rest.substring(0, dot), values);
                }
            }
        }
        String enable = SettingValues.get(map, ENABLE);
        String rebalance = SettingValues.get(map, REBALANCE_ENABLE);
        String allow = SettingValues.get(map, ALLOW_REBALANCE);
        int recoveries = SettingValues.intValue(map, NODE_CONCURRENT_RECOVERIES, 2, 0);
        double queue = SettingValues.doubleValue(map, BALANCE_QUEUE, 0.45, 0);
        double topic = SettingValues.doubleValue(map, BALANCE_TOPIC, 0.55, 0);
        double writeLoad = SettingValues.doubleValue(map, BALANCE_WRITE_LOAD, 10.0, 0);
        double diskUsage = SettingValues.doubleValue(map, BALANCE_DISK_USAGE, 2e-11, 0);
        if (queue + topic + writeLoad + diskUsage <= 0) {
            throw new InvalidSettingException(BALANCE_QUEUE, "the balance factors [" + BALANCE_QUEUE + ", " + BALANCE_TOPIC + ", " + BALANCE_WRITE_LOAD
                    + ", " + BALANCE_DISK_USAGE + "] must not all be 0");
        }
        String type = SettingValues.get(map, TYPE);
        boolean desired = type == null || type.equals("desired_balance") || type.equals("desired-balance");
        if (!desired && !type.equals("balanced")) {
            throw new InvalidSettingException(TYPE, "setting [" + TYPE + "] must be [desired_balance] or [balanced], was [" + type + "]");
        }
        int clusterRebalance = SettingValues.intValue(map, CLUSTER_CONCURRENT_REBALANCE, 2, -1);
        int totalPerNode = SettingValues.intValue(map, TOTAL_QUEUES_PER_NODE, -1, -1);
        return new AllocationSettings(
                enable == null ? AllocationEnable.ALL : AllocationEnable.parse(ENABLE, enable),
                rebalance == null ? RebalanceEnable.ALL : RebalanceEnable.parse(REBALANCE_ENABLE, rebalance),
                allow == null ? AllowRebalance.ALL_ACTIVE : AllowRebalance.parse(ALLOW_REBALANCE, allow),
                AttributeFilters.parse("ferry.allocation", map),
                SettingValues.boolValue(map, SAME_QUEUE_HOST, false),
                SettingValues.list(map, AWARENESS_ATTRIBUTES), force,
                SettingValues.boolValue(map, DISK_THRESHOLD_ENABLED, true),
                DiskWatermarks.parse(map),
                SettingValues.durationMillis(map, REROUTE_INTERVAL, 60_000),
                SettingValues.durationMillis(map, REPORT_INTERVAL, 30_000),
                totalPerNode,
                SettingValues.intValue(map, NODE_CONCURRENT_INCOMING, recoveries, 0),
                SettingValues.intValue(map, NODE_CONCURRENT_OUTGOING, recoveries, 0),
                SettingValues.intValue(map, NODE_INITIAL_MASTER_RECOVERIES, 4, 0),
                clusterRebalance,
                SettingValues.intValue(map, MAX_QUEUE_COPIES_PER_NODE, 1000, 1),
                queue, topic, writeLoad, diskUsage,
                SettingValues.doubleValue(map, BALANCE_THRESHOLD, 1.0, 1.0),
                desired,
                SettingValues.doubleValue(map, UNDESIRED_THRESHOLD, 0.1, 0));
    }
}
