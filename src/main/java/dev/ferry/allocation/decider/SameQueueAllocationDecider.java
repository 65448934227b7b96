package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Node;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingQueue;

/**
 * No two copies of a queue on one node, and with {@code ferry.allocation.same-queue.host} none on one host
 * (ES's SameShardAllocationDecider; one host = one IP address, or one host name when a node has no address). One
 * exception is Ferry's promotion: a master may be placed on the node of one
 * of its own in-sync replicas, which then gives way (the master takes over that replica's log). The replica's entity
 * can be left beside its master (Ferry's sharding cannot stop it in the same step): such a replica may not remain once
 * it is out of sync, and may not be rebalanced while the promotion onto its log is still pending ({@link #canRemain}).
 */
public final class SameQueueAllocationDecider implements AllocationDecider {
    public static final String NAME = "same_queue";
    private static final Decision YES_NONE_HOLD_COPY = Decision.yes(NAME, "this node does not hold a copy of this queue");
    private static final Decision NO_SAME_NODE = Decision.no(NAME, "a copy of this queue is already allocated to this node");
    private static final Decision NO_SAME_HOST = Decision.no(NAME, "a copy of this queue is already allocated to a node on the same host, "
            + "and [" + AllocationSettings.SAME_QUEUE_HOST + "] is [true]");
    private static final Decision YES_PROMOTION = Decision.yes(NAME, "this node holds an in-sync replica of this queue, onto whose log the master is promoted");
    /** A replica beside its master that still holds the in-sync log the master is being promoted onto. */
    public static final Decision YES_PROMOTION_PENDING = Decision.yes(NAME, "the master of this queue is placed on this node to be "
            + "promoted onto this replica's in-sync log; the replica keeps that log until the promotion is recorded (the Broker "
            + "has swapped the slots), and only then gives way and recovers on another node");
    private static final Decision NO_REBALANCE_PROMOTION_PENDING = Decision.no(NAME, "the master of this queue is being promoted onto "
            + "this replica's in-sync log on its node; the replica may not move before the promotion is recorded");
    private static final Decision NO_REMAIN_BESIDE_MASTER = Decision.no(NAME, "the master of this queue runs on this node (it was "
            + "promoted onto this replica's log); the replica holds no copy of its own here and must recover on another node");

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
            String host = hostOf(node.node());
            // A relocation's source still holds the copy until the target has recovered, so moving a copy to
            // another node of its own host would put two copies of the queue on that host meanwhile (as in ES).
            RoutingNode current = copy.node();
            if (current != null && current != node && sameHost(current.node(), node.node())) {
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
                if ((a != null && a != node && sameHost(a.node(), node.node())) || (b != null && b != node && sameHost(b.node(), node.node()))) {
                    RoutingNode on = a != null && a != node && sameHost(a.node(), node.node()) ? a : b;
                    return routing.debug() ? Decision.no(NAME, "a copy of this queue is already allocated to host [" + host + "], on node ["
                            + on.name() + "], and [" + AllocationSettings.SAME_QUEUE_HOST + "] is [true] which forbids more than one node on "
                            + "each host from holding a copy of this queue") : NO_SAME_HOST;
                }
            }
        }
        return promotion ? YES_PROMOTION : YES_NONE_HOLD_COPY;
    }

    /**
     * A replica may not stay on its master's node: after a promotion the Replica entity there gave its log to the master
     * and holds nothing of its own (not in sync), so it must recover elsewhere. While it is still in sync there, the
     * master is being promoted onto its log (placed there, or relocating there for a planned hand-over) and the replica
     * stays until the promotion has swapped the slots.
     */
    @Override
    public Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        if (copy.isMaster() || !besideMaster(copy, node)) {
            return Decision.ALWAYS;
        }
        if (copy.inSync()) {
            return YES_PROMOTION_PENDING;
        }
        RoutingCopy master = copy.queue().master();
        return routing.debug() ? Decision.no(NAME, "the master of this queue [" + master.id() + " " + master.state() + "] runs on this "
                + "node (it was promoted onto this replica's log); the replica holds no copy of its own here and must recover on "
                + "another node") : NO_REMAIN_BESIDE_MASTER;
    }

    /** The in-sync log a master is being promoted onto does not move for balance. */
    @Override
    public Decision canRebalance(RoutingCopy copy, Routing routing) {
        return !copy.isMaster() && copy.inSync() && besideMaster(copy, copy.node()) ? NO_REBALANCE_PROMOTION_PENDING : Decision.ALWAYS;
    }

    /** @return whether the queue's master is on {@code node}, as its node or its relocation target */
    private static boolean besideMaster(RoutingCopy copy, RoutingNode node) {
        RoutingCopy master = copy.queue().master();
        return node != null && master != copy && (master.node() == node || master.target() == node);
    }

    /**
     * Whether two nodes are on one host, as ES's {@code SameShardAllocationDecider.isOnSameHost} decides: by IP address
     * when both nodes have one, otherwise by host name.
     */
    static boolean sameHost(Node a, Node b) {
        if (!a.ip().isEmpty() && !b.ip().isEmpty()) {
            return a.ip().equals(b.ip());
        }
        return !a.host().isEmpty() && a.host().equals(b.host());
    }

    /** @return how a node's host is named in explanations: its address, or its host name when it has none */
    private static String hostOf(Node n) {
        return n.ip().isEmpty() ? n.host() : n.ip();
    }
}
