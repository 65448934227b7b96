package dev.ferry.allocation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A topic's allocation settings ({@code topic.*} keys), the counterparts of ES's {@code index.*} settings.
 *
 * @param replicas             {@code topic.replicas}: replicas per queue (copies = replicas + 1)
 * @param autoExpandReplicas   {@code topic.auto-expand-replicas}: e.g. {@code 0-all}, {@code 1-3}; empty when off
 * @param enable               {@code topic.allocation.enable}; empty inherits the cluster setting
 * @param rebalanceEnable      {@code topic.allocation.rebalance.enable}; empty inherits the cluster setting
 * @param filters              {@code topic.allocation.require|include|exclude.ATTR}
 * @param totalQueuesPerNode   {@code topic.allocation.total-queues-per-node}: max copies of this topic on one node, -1 unlimited
 * @param tierPreference       {@code topic.allocation.tier-preference}: ordered tiers, the first with nodes wins
 * @param maxRetries           {@code topic.allocation.max-retries}: failed allocations before giving up
 * @param readOnlyAllowDelete  {@code topic.blocks.read-only-allow-delete}: set by the disk monitor at flood stage
 * @param priority             {@code topic.priority}: higher-priority topics' copies are placed first
 */
public record TopicSettings(int replicas, Optional<String> autoExpandReplicas, Optional<AllocationEnable> enable,
                            Optional<RebalanceEnable> rebalanceEnable, AttributeFilters filters, int totalQueuesPerNode,
                            List<String> tierPreference, int maxRetries, boolean readOnlyAllowDelete, int priority) {

    public static final String REPLICAS = "topic.replicas";
    public static final String AUTO_EXPAND_REPLICAS = "topic.auto-expand-replicas";
    public static final String ENABLE = "topic.allocation.enable";
    public static final String REBALANCE_ENABLE = "topic.allocation.rebalance.enable";
    public static final String TOTAL_QUEUES_PER_NODE = "topic.allocation.total-queues-per-node";
    public static final String TIER_PREFERENCE = "topic.allocation.tier-preference";
    public static final String MAX_RETRIES = "topic.allocation.max-retries";
    public static final String READ_ONLY_ALLOW_DELETE = "topic.blocks.read-only-allow-delete";
    public static final String PRIORITY = "topic.priority";

    private static final List<String> KNOWN_ALLOCATION = List.of(ENABLE, REBALANCE_ENABLE, TOTAL_QUEUES_PER_NODE, TIER_PREFERENCE, MAX_RETRIES);
    /** The data tiers a topic may prefer (ES's {@code data_hot}, {@code data_warm}, {@code data_cold}). */
    public static final List<String> TIERS = List.of("hot", "warm", "cold");

    /** A topic with every default: one replica. */
    public static final TopicSettings DEFAULTS = parse(Map.of());

    public TopicSettings {
        tierPreference = List.copyOf(tierPreference);
    }

    /**
     * Parses the {@code topic.*} settings of one topic. Keys outside {@code topic.allocation.} that allocation does not
     * use (retention, flush, ...) are ignored; unknown {@code topic.allocation.*} keys, cluster ({@code ferry.*}) keys and
     * tiers other than {@link #TIERS} are rejected.
     *
     * @throws InvalidSettingException naming the key
     */
    public static TopicSettings parse(Map<String, String> map) {
        for (String key : map.keySet()) {
            if (key.startsWith("ferry.")) {
                throw new InvalidSettingException(key, "[" + key + "] is a cluster setting and cannot be set on a topic; "
                        + "set it in the cluster settings, or use the topic's [topic.*] counterpart (see docs/allocation.md)");
            }
            if (key.startsWith("topic.allocation.") && !KNOWN_ALLOCATION.contains(key) && !key.startsWith("topic.allocation.require.")
                    && !key.startsWith("topic.allocation.include.") && !key.startsWith("topic.allocation.exclude.")) {
                throw new InvalidSettingException(key, "unknown topic allocation setting [" + key + "]; see docs/allocation.md for the settings");
            }
        }
        String enable = SettingValues.get(map, ENABLE);
        String rebalance = SettingValues.get(map, REBALANCE_ENABLE);
        String expand = SettingValues.get(map, AUTO_EXPAND_REPLICAS);
        if (expand != null && expand.toLowerCase(Locale.ROOT).equals("false")) {
            expand = null;
        }
        if (expand != null) {
            parseAutoExpand(expand);
        }
        List<String> tiers = SettingValues.list(map, TIER_PREFERENCE);
        for (String tier : tiers) {
            if (!TIERS.contains(tier)) {
                String hint = tier.startsWith("data_") && TIERS.contains(tier.substring(5)) ? "; Ferry names tiers without ES's [data_] "
                        + "prefix, write [" + tier.substring(5) + "]" : "";
                throw new InvalidSettingException(TIER_PREFERENCE, "setting [" + TIER_PREFERENCE + "] must list tiers among " + TIERS
                        + ", was [" + tier + "]" + hint);
            }
        }
        return new TopicSettings(
                SettingValues.intValue(map, REPLICAS, 1, 0),
                Optional.ofNullable(expand),
                Optional.ofNullable(enable).map(v -> AllocationEnable.parse(ENABLE, v)),
                Optional.ofNullable(rebalance).map(v -> RebalanceEnable.parse(REBALANCE_ENABLE, v)),
                AttributeFilters.parse("topic.allocation", map),
                SettingValues.intValue(map, TOTAL_QUEUES_PER_NODE, -1, -1),
                tiers.isEmpty() ? List.of(Node.DEFAULT_TIER) : tiers,
                SettingValues.intValue(map, MAX_RETRIES, 5, 0),
                SettingValues.boolValue(map, READ_ONLY_ALLOW_DELETE, false),
                SettingValues.intValue(map, PRIORITY, 1, 0));
    }

    /** @return [min, max] replicas of an auto-expand range; max is -1 for {@code all} */
    static int[] parseAutoExpand(String v) {
        String[] parts = v.split("-");
        try {
            if (parts.length == 2) {
                int min = Integer.parseInt(parts[0].trim());
                int max = parts[1].trim().equalsIgnoreCase("all") ? -1 : Integer.parseInt(parts[1].trim());
                if (min >= 0 && (max == -1 || max >= min)) {
                    return new int[] {min, max};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new InvalidSettingException(AUTO_EXPAND_REPLICAS, "setting [" + AUTO_EXPAND_REPLICAS + "] must be [min-max] or [min-all] "
                + "such as [0-all] or [1-3], or false, was [" + v + "]");
    }

    /** @return whether replicas auto-expand to every node ({@code N-all}); awareness and same-host checks then do not apply */
    public boolean autoExpandsToAll() {
        return autoExpandReplicas.map(v -> v.toLowerCase(Locale.ROOT).endsWith("-all")).orElse(false);
    }

    /**
     * The replica count on a cluster of these nodes, honouring auto-expand the way ES's
     * {@code AutoExpandReplicas.getDesiredNumberOfReplicas} does: only nodes this topic could ever live on count, i.e.
     * nodes passing the cluster filters and this topic's filters and belonging to the topic's preferred available tier
     * (the deciders' {@code shouldAutoExpandToNode}).
     *
     * @param clusterFilters the cluster-level {@code ferry.allocation.require|include|exclude} filters
     */
    public int effectiveReplicas(java.util.Collection<Node> nodes, AttributeFilters clusterFilters) {
        if (autoExpandReplicas.isEmpty()) {
            return replicas;
        }
        return effectiveReplicas(autoExpandNodes(nodes, clusterFilters));
    }

    /** @return how many of {@code nodes} an auto-expanding topic expands to (see {@link #effectiveReplicas(java.util.Collection, AttributeFilters)}) */
    public int autoExpandNodes(java.util.Collection<Node> nodes, AttributeFilters clusterFilters) {
        String tier = null;
        for (String t : tierPreference) {
            for (Node n : nodes) {
                if (n.tier().equals(t)) {
                    tier = t;
                    break;
                }
            }
            if (tier != null) {
                break;
            }
        }
        if (tier == null) {
            return 0;
        }
        int count = 0;
        for (Node n : nodes) {
            if (n.tier().equals(tier) && clusterFilters.allows(n) && filters.allows(n)) {
                count++;
            }
        }
        return count;
    }

    /** @return the replica count on a cluster of {@code nodes} nodes that all accept this topic, honouring auto-expand */
    public int effectiveReplicas(int nodes) {
        if (autoExpandReplicas.isEmpty()) {
            return replicas;
        }
        int[] range = parseAutoExpand(autoExpandReplicas.get());
        int max = range[1] == -1 ? Math.max(0, nodes - 1) : range[1];
        return Math.max(range[0], Math.min(max, Math.max(0, nodes - 1)));
    }
}
