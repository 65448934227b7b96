package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingQueue;

/**
 * No two copies of a queue on one node, and with {@code ferry.allocation.same-queue.host} none on one host
 * (ES's SameShardAllocationDecider). One exception is Ferry's promotion: a master may be placed on the node of one
 * of its own in-sync replicas, which then gives way (the master takes over that replica's log).
 */
public final class SameQueueAllocationDecider implements AllocationDecider {
    public static final String NAME = "same_queue";
    private static final Decision YES_NONE_HOLD_COPY = Decision.yes(NAME, "this node does not hold a copy of this queue");
    private static final Decision NO_SAME_NODE = Decision.no(NAME, "a copy of this queue is already allocated to this node");
    private static final Decision NO_SAME_HOST = Decision.no(NAME, "a copy of this queue is already allocated to a node on the same host, "
            + "and [" + AllocationSettings.SAME_QUEUE_HOST + "] is [true]");
    private static final Decision YES_PROMOTION = Decision.yes(NAME, "this node holds an in-sync replica of this queue, onto whose log the master is promoted");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        RoutingQueue queue = copy.queue();
        boolean promotion = false;
        for (int i = 0; i < queue.size(); i++) {
            RoutingCopy other = queue.copy(i);
            if (other == copy) {
                continue;
            }
            if (other.node() == node || other.target() == node) {
                if (copy.isMaster() && other.isPromotable() && other.node() == node) {
                    promotion = true;
                    continue;
                }
                return routing.debug() ? Decision.no(NAME, "a copy of this queue is already allocated to this node [" + other.id() + " "
                        + other.state() + "]") : NO_SAME_NODE;
            }
        }
        if (routing.settings().sameQueueHost() && !copy.topic().settings().autoExpandsToAll()) {
            String host = node.node().host();
            // A relocation's source still holds the copy until the target has recovered, so moving a copy to
            // another node of its own host would put two copies of the queue on that host meanwhile (as in ES).
            RoutingNode current = copy.node();
            if (current != null && current != node && current.node().host().equals(host)) {
                return routing.debug() ? Decision.no(NAME, "this copy is allocated to node [" + current.name() + "] on the same host ["
                        + host + "] until it is relocated, and [" + AllocationSettings.SAME_QUEUE_HOST + "] is [true] which forbids "
                        + "more than one node on each host from holding a copy of this queue") : NO_SAME_HOST;
            }
            for (int i = 0; i < queue.size(); i++) {
                RoutingCopy other = queue.copy(i);
                if (other == copy || (promotion && other.node() == node)) {
                    continue;
                }
                RoutingNode a = other.node();
                RoutingNode b = other.target();
                if ((a != null && a != node && a.node().host().equals(host)) || (b != null && b != node && b.node().host().equals(host))) {
                    RoutingNode on = a != null && a.node().host().equals(host) ? a : b;
                    return routing.debug() ? Decision.no(NAME, "a copy of this queue is already allocated to host [" + host + "], on node ["
                            + on.name() + "], and [" + AllocationSettings.SAME_QUEUE_HOST + "] is [true] which forbids more than one node on "
                            + "each host from holding a copy of this queue") : NO_SAME_HOST;
                }
            }
        }
        return promotion ? YES_PROMOTION : YES_NONE_HOLD_COPY;
    }
}
