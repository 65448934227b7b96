package dev.ferry.allocation.decider;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.ferry.allocation.AttributeFilters;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Node;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingTopic;

/**
 * require / include / exclude node filters, cluster ({@code ferry.allocation.*}) then topic
 * ({@code topic.allocation.*}); both levels must pass (ES's FilterAllocationDecider). Applies to placement and to
 * remaining, so changing a filter moves copies away.
 */
public final class FilterAllocationDecider implements TopicScopedDecider {
    public static final String NAME = "filter";
    private static final Decision YES = Decision.yes(NAME, "node passes include/exclude/require filters");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision decide(RoutingTopic topic, RoutingNode node, Routing routing) {
        AttributeFilters cluster = routing.settings().filters();
        AttributeFilters own = topic.settings().filters();
        if (cluster.isEmpty() && own.isEmpty()) {
            return YES;
        }
        Decision d = check(cluster, "cluster", node.node());
        if (d == null) {
            d = check(own, "topic", node.node());
        }
        return d != null ? d : YES;
    }

    private static Decision check(AttributeFilters f, String level, Node node) {
        if (!f.require().isEmpty()) {
            for (Map.Entry<String, List<String>> e : f.require().entrySet()) {
                if (!AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())) {
                    return Decision.no(NAME, "node does not match " + level + " setting [" + f.prefix() + ".require] filters "
                            + describe(f.require()));
                }
            }
        }
        if (!f.include().isEmpty()) {
            boolean any = false;
            for (Map.Entry<String, List<String>> e : f.include().entrySet()) {
                if (AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return Decision.no(NAME, "node does not match " + level + " setting [" + f.prefix() + ".include] filters "
                        + describe(f.include()));
            }
        }
        for (Map.Entry<String, List<String>> e : f.exclude().entrySet()) {
            if (AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())) {
                return Decision.no(NAME, "node matches " + level + " setting [" + f.prefix() + ".exclude] filters " + describe(f.exclude()));
            }
        }
        return null;
    }

    private static String describe(Map<String, List<String>> filters) {
        return filters.entrySet().stream().map(e -> e.getKey() + ":\"" + String.join(" OR ", e.getValue()) + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
