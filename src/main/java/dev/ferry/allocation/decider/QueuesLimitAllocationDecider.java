package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.TopicSettings;

/**
 * Per-node copy limits (ES's ShardsLimitAllocationDecider): {@code ferry.allocation.total-queues-per-node} for all
 * topics, {@code topic.allocation.total-queues-per-node} for one; -1 is unlimited. Placement needs
 * {@code count < limit}; remaining needs {@code count <= limit}, so lowering a limit moves copies away.
 */
public final class QueuesLimitAllocationDecider implements PlaceOrRemainDecider {
    public static final String NAME = "queues_limit";
    private static final Decision YES = Decision.yes(NAME, "total queue copies per node limits are respected");
    private static final Decision NO_CLUSTER = Decision.no(NAME, "too many queue copies on this node, cluster setting ["
            + AllocationSettings.TOTAL_QUEUES_PER_NODE + "]");
    private static final Decision NO_TOPIC = Decision.no(NAME, "too many queue copies of this topic on this node, topic setting ["
            + TopicSettings.TOTAL_QUEUES_PER_NODE + "]");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision decide(RoutingCopy copy, RoutingNode node, Routing routing, boolean remain) {
        int clusterLimit = routing.settings().totalQueuesPerNode();
        int topicLimit = copy.topic().settings().totalQueuesPerNode();
        // A master placed onto the node of its in-sync replica is a promotion: that replica leaves, so the count stays.
        int swap = 0;
        if (!remain && copy.isMaster()) {
            dev.ferry.allocation.RoutingCopy there = copy.queue().copyOn(node);
            if (there != null && there != copy && there.isPromotable() && there.node() == node && there.target() == null) {
                swap = 1;
            }
        }
        if (clusterLimit >= 0) {
            int count = node.copies() - swap;
            if (remain ? count > clusterLimit : count >= clusterLimit) {
                return routing.debug() ? Decision.no(NAME, "too many queue copies [" + count + "] allocated to this node, cluster setting ["
                        + AllocationSettings.TOTAL_QUEUES_PER_NODE + "=" + clusterLimit + "]") : NO_CLUSTER;
            }
        }
        if (topicLimit >= 0) {
            int count = node.copies(copy.topic()) - swap;
            if (remain ? count > topicLimit : count >= topicLimit) {
                return routing.debug() ? Decision.no(NAME, "too many queue copies [" + count + "] allocated to this node for topic ["
                        + copy.topic().name() + "], topic setting [" + TopicSettings.TOTAL_QUEUES_PER_NODE + "=" + topicLimit + "]") : NO_TOPIC;
            }
        }
        return YES;
    }
}
