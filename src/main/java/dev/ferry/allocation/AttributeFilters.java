package dev.ferry.allocation;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * require / include / exclude node-attribute filters of one level (cluster or topic).
 * Keys are attribute names (including built-ins such as {@code _name}), values the accepted patterns ({@code *} wildcards).
 *
 * @param prefix  the setting prefix, {@code ferry.allocation} or {@code topic.allocation} (for explanations)
 * @param require the node must match every attribute here
 * @param include the node must match at least one attribute here
 * @param exclude the node must match none of the attributes here
 */
public record AttributeFilters(String prefix, Map<String, List<String>> require, Map<String, List<String>> include,
                               Map<String, List<String>> exclude) {

    public AttributeFilters {
        // sorted, so that evaluation order and explanations are the same in every JVM
        require = java.util.Collections.unmodifiableMap(new TreeMap<>(require));
        include = java.util.Collections.unmodifiableMap(new TreeMap<>(include));
        exclude = java.util.Collections.unmodifiableMap(new TreeMap<>(exclude));
    }

    /** @return whether no filter is set */
    public boolean isEmpty() {
        return require.isEmpty() && include.isEmpty() && exclude.isEmpty();
    }

    /** Collects {@code prefix.require.ATTR} etc. from a flat settings map; {@code _ip} patterns are validated. */
    static AttributeFilters parse(String prefix, Map<String, String> map) {
        return new AttributeFilters(prefix, collect(prefix + ".require.", map), collect(prefix + ".include.", map),
                collect(prefix + ".exclude.", map));
    }

    private static Map<String, List<String>> collect(String keyPrefix, Map<String, String> map) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String key : map.keySet()) {
            if (!key.startsWith(keyPrefix)) {
                continue;
            }
            String attr = key.substring(keyPrefix.length());
            if (attr.isEmpty() || attr.contains(".")) {
                throw new InvalidSettingException(key, "setting [" + key + "] must name one attribute, e.g. [" + keyPrefix + "zone]");
            }
            List<String> values = SettingValues.list(map, key);
            if (values.isEmpty()) {
                continue;
            }
            if (attr.equals("_ip") || attr.equals("_host_ip") || attr.equals("_publish_ip")) {
                for (String v : values) {
                    if (!v.matches("[0-9a-fA-F:.*]+")) {
                        throw new InvalidSettingException(key, "setting [" + key + "] must be IP addresses or wildcard patterns, was [" + v + "]");
                    }
                }
            }
            out.put(attr, values);
        }
        return out;
    }

    /**
     * @return whether {@code node} passes these filters: it matches every {@code require} attribute, at least one
     * {@code include} attribute (when any is set) and no {@code exclude} attribute (the filter decider's rule, without
     * its explanations)
     */
    public boolean allows(Node node) {
        for (Map.Entry<String, List<String>> e : require.entrySet()) {
            if (!nodeMatches(node, e.getKey(), e.getValue())) {
                return false;
            }
        }
        if (!include.isEmpty()) {
            boolean any = false;
            for (Map.Entry<String, List<String>> e : include.entrySet()) {
                if (nodeMatches(node, e.getKey(), e.getValue())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (Map.Entry<String, List<String>> e : exclude.entrySet()) {
            if (nodeMatches(node, e.getKey(), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Simple wildcard match: {@code *} matches any run of characters. */
    public static boolean matches(String pattern, String value) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(value);
        }
        return value.matches(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q"));
    }

    /** @return whether the node's value of {@code attr} matches any of the patterns; false if the node lacks it */
    public static boolean nodeMatches(Node node, String attr, List<String> patterns) {
        String value = node.attribute(attr);
        if (value == null) {
            return false;
        }
        for (String p : patterns) {
            if (matches(p, value)) {
                return true;
            }
        }
        return false;
    }
}
