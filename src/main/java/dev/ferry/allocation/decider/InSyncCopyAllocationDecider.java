package dev.ferry.allocation.decider;

import java.util.ArrayList;
import java.util.List;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingQueue;

/**
 * Data is node-local, so a master (the Queue entity) may start only where an in-sync copy of its queue's log lives:
 * on the node of one of its in-sync replicas, which it is promoted over. A brand-new queue's master may start
 * anywhere. This is Ferry's counterpart of ES's "no valid shard copy" rule for primaries.
 */
public final class InSyncCopyAllocationDecider implements AllocationDecider {
    public static final String NAME = "in_sync_copy";
    private static final Decision YES_REPLICA = Decision.yes(NAME, "replicas recover from the master and may start on any node");
    private static final Decision YES_NEW = Decision.yes(NAME, "the queue is new; its master starts with an empty log on any node");
    private static final Decision YES_IN_SYNC = Decision.yes(NAME, "the node holds an in-sync replica of this queue; the master is promoted onto its log");
    private static final Decision NO_NOT_IN_SYNC = Decision.no(NAME, "the queue has a log and this node holds no in-sync copy of it; "
            + "a master can only start where an in-sync copy lives");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        if (!copy.isMaster()) {
            return YES_REPLICA;
        }
        RoutingQueue queue = copy.queue();
        if (copy.state() == CopyState.UNASSIGNED && queue.isNew()) {
            return YES_NEW;
        }
        RoutingCopy there = queue.copyOn(node);
        if (there != null && there != copy && there.isPromotable() && there.node() == node) {
            return YES_IN_SYNC;
        }
        if (!routing.debug()) {
            return NO_NOT_IN_SYNC;
        }
        List<String> holders = new ArrayList<>();
        for (int i = 1; i < queue.size(); i++) {
            RoutingCopy c = queue.copy(i);
            if (c.isPromotable()) {
                holders.add(c.node().name());
            }
        }
        return Decision.no(NAME, "the queue [" + queue + "] has a log and this node holds no in-sync copy of it; a master can only start "
                + "where an in-sync copy lives, nodes holding one: " + (holders.isEmpty()
                ? "[] (the queue waits for a node with an in-sync copy to rejoin)" : holders));
    }
}
