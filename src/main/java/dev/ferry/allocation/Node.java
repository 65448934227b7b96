package dev.ferry.allocation;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One cluster member as allocation sees it.
 *
 * @param name       the unique node name (also its {@code _name} and {@code _id} for filters)
 * @param host       the host name ({@code _host}); copies of a queue avoid sharing it with {@code same-queue.host}
 * @param ip         the IP address ({@code _ip}, {@code _host_ip}, {@code _publish_ip})
 * @param attributes node attributes (zone, rack, tier, ...); a node without {@code tier} is a {@code hot} node
 * @param disk       the last disk report, empty while the node has not reported
 */
public record Node(String name, String host, String ip, Map<String, String> attributes, Optional<DiskUsage> disk) {

    /** The attribute naming a node's data tier. */
    public static final String TIER = "tier";
    /** The tier of a node without a {@code tier} attribute. */
    public static final String DEFAULT_TIER = "hot";

    public Node {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        host = host == null ? name : host;
        ip = ip == null ? "" : ip;
        attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes == null ? Map.of() : attributes));
        disk = disk == null ? Optional.empty() : disk;
    }

    /** A node without a disk report. */
    public static Node of(String name, String host, String ip, Map<String, String> attributes) {
        return new Node(name, host, ip, attributes, Optional.empty());
    }

    /** @return this node with a new disk report */
    public Node withDisk(DiskUsage usage) {
        return new Node(name, host, ip, attributes, Optional.of(usage));
    }

    /** @return the node's data tier: its {@code tier} attribute, {@code hot} when absent */
    public String tier() {
        return attributes.getOrDefault(TIER, DEFAULT_TIER);
    }

    /**
     * The value of an attribute as filters see it, including the built-ins
     * {@code _name}, {@code _id}, {@code _host}, {@code _ip}, {@code _host_ip}, {@code _publish_ip}, {@code _tier}.
     *
     * @return the value, or null when the node lacks the attribute
     */
    public String attribute(String attr) {
        return switch (attr) {
            case "_name", "_id" -> name;
            case "_host" -> host;
            case "_ip", "_host_ip", "_publish_ip" -> ip;
            case "_tier" -> tier();
            default -> attributes.get(attr);
        };
    }

    @Override
    public String toString() {
        return "{" + name + "}{" + host + "}{" + ip + "}" + new TreeMap<>(attributes);
    }
}
