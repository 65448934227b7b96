package dev.ferry.allocation.decider;

import java.util.List;

import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingQueue;

/**
 * Zone/rack awareness ({@code ferry.allocation.awareness.attributes}, {@code ...awareness.force.ATTR.values}), ES's
 * AwarenessAllocationDecider: with {@code copies = replicas + 1} and {@code values} distinct attribute values
 * (forced ones included), at most {@code ceil(copies / values)} copies of a queue may sit on nodes sharing a value.
 * A node without the attribute receives nothing. Checked on placement and on remaining.
 */
public final class AwarenessAllocationDecider implements PlaceOrRemainDecider {
    public static final String NAME = "awareness";
    private static final Decision YES_DISABLED = Decision.yes(NAME, "allocation awareness is not enabled, set cluster setting ["
            + AllocationSettings.AWARENESS_ATTRIBUTES + "] to enable it");
    private static final Decision YES_AUTO_EXPAND = Decision.yes(NAME, "allocation awareness is ignored, this topic's replicas auto-expand to all nodes");
    private static final Decision YES = Decision.yes(NAME, "node meets all awareness attribute requirements");
    private static final Decision NO_TOO_MANY = Decision.no(NAME, "too many copies of this queue on nodes with the same awareness attribute value");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision decide(RoutingCopy copy, RoutingNode node, Routing routing, boolean remaining) {
        boolean placing = !remaining;
        List<String> attributes = routing.settings().awarenessAttributes();
        if (attributes.isEmpty()) {
            return YES_DISABLED;
        }
        if (copy.topic().settings().autoExpandsToAll()) {
            return YES_AUTO_EXPAND;
        }
        RoutingQueue queue = copy.queue();
        int copies = queue.size();
        for (String attr : attributes) {
            String value = node.node().attributes().get(attr);
            if (value == null) {
                return Decision.no(NAME, "node does not contain the awareness attribute [" + attr + "]; required attributes ["
                        + AllocationSettings.AWARENESS_ATTRIBUTES + "=" + String.join(",", attributes) + "]");
            }
            int values = routing.awarenessValueCount(attr);
            int count = 0;
            for (int i = 0; i < queue.size(); i++) {
                RoutingCopy other = queue.copy(i);
                if (other == copy) {
                    continue;
                }
                // A replica the master is being promoted over gives way, so it does not count.
                if (placing && copy.isMaster() && other.node() == node && other.isPromotable() && other.target() == null) {
                    continue;
                }
                RoutingNode owner = other.owner();
                if (owner != null && value.equals(owner.node().attributes().get(attr))) {
                    count++;
                }
            }
            count++; // this copy, on this node
            int max = (copies + values - 1) / Math.max(values, 1);
            if (count > max) {
                if (!routing.debug()) {
                    return NO_TOO_MANY;
                }
                List<String> forced = routing.settings().awarenessForce().getOrDefault(attr, List.of());
                return Decision.no(NAME, "there are [" + copies + "] copies of this queue and [" + values + "] values for attribute ["
                        + attr + "] (" + (forced.isEmpty() ? "no forced awareness" : "forced values " + forced + " from ["
                        + AllocationSettings.AWARENESS_FORCE + attr + ".values]") + ") so there may be at most [" + max
                        + "] copies of this queue allocated to nodes with each value, but " + (placing ? "(including this copy) there would be ["
                        + count + "]" : "there are [" + count + "]") + " copies allocated to nodes with [" + attr + ": " + value + "]");
            }
        }
        return YES;
    }
}
