package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;

/**
 * Paces recoveries (ES's ThrottlingAllocationDecider): a node opens at most
 * {@code ferry.allocation.node-initial-master-recoveries} new masters at once, receives at most
 * {@code node-concurrent-incoming-recoveries} peer recoveries and serves at most
 * {@code node-concurrent-outgoing-recoveries} (the source of a recovery is always the node of the queue's master).
 * Stands aside in desired-balance simulations.
 */
public final class ThrottlingAllocationDecider implements AllocationDecider {
    public static final String NAME = "throttling";
    private static final Decision YES = Decision.yes(NAME, "below the queue recovery limits");
    private static final Decision YES_SIMULATION = Decision.yes(NAME, "recoveries are not paced when computing the desired balance");
    private static final Decision NO_MASTER_INACTIVE = Decision.no(NAME, "master copy for this replica is not yet active");
    private static final Decision THROTTLE_INITIAL = Decision.throttle(NAME, "reached the limit of ongoing initial master recoveries, "
            + "cluster setting [" + AllocationSettings.NODE_INITIAL_MASTER_RECOVERIES + "]");
    private static final Decision THROTTLE_INCOMING = Decision.throttle(NAME, "reached the limit of incoming queue recoveries, cluster setting ["
            + AllocationSettings.NODE_CONCURRENT_INCOMING + "] (can also be set via [" + AllocationSettings.NODE_CONCURRENT_RECOVERIES + "])");
    private static final Decision THROTTLE_OUTGOING = Decision.throttle(NAME, "reached the limit of outgoing queue recoveries on the node "
            + "holding the master, cluster setting [" + AllocationSettings.NODE_CONCURRENT_OUTGOING + "] (can also be set via ["
            + AllocationSettings.NODE_CONCURRENT_RECOVERIES + "])");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        if (routing.simulation()) {
            return YES_SIMULATION;
        }
        AllocationSettings s = routing.settings();
        if (copy.isMaster() && copy.state() == CopyState.UNASSIGNED) {
            // a master opening its log (new queue, or promotion onto a local replica's log): no peer recovery
            if (node.initializingMasters() >= s.initialMasterRecoveries()) {
                return !routing.debug() ? THROTTLE_INITIAL : Decision.throttle(NAME, "reached the limit of ongoing initial master recoveries [" + node.initializingMasters()
                        + "], cluster setting [" + AllocationSettings.NODE_INITIAL_MASTER_RECOVERIES + "=" + s.initialMasterRecoveries() + "]");
            }
            return YES;
        }
        if (node.incomingRecoveries() >= s.incomingRecoveries()) {
            return !routing.debug() ? THROTTLE_INCOMING : Decision.throttle(NAME, "reached the limit of incoming queue recoveries [" + node.incomingRecoveries() + "], cluster setting ["
                    + AllocationSettings.NODE_CONCURRENT_INCOMING + "=" + s.incomingRecoveries() + "] (can also be set via ["
                    + AllocationSettings.NODE_CONCURRENT_RECOVERIES + "])");
        }
        RoutingNode source;
        if (copy.isMaster()) {
            source = copy.node();
        } else {
            if (!copy.queue().masterActive()) {
                return NO_MASTER_INACTIVE;
            }
            source = copy.queue().master().node();
        }
        if (source != null && source.outgoingRecoveries() >= s.outgoingRecoveries()) {
            return !routing.debug() ? THROTTLE_OUTGOING : Decision.throttle(NAME, "reached the limit of outgoing queue recoveries [" + source.outgoingRecoveries() + "] on the node ["
                    + source.name() + "] which holds the master, cluster setting [" + AllocationSettings.NODE_CONCURRENT_OUTGOING + "="
                    + s.outgoingRecoveries() + "] (can also be set via [" + AllocationSettings.NODE_CONCURRENT_RECOVERIES + "])");
        }
        return YES;
    }
}
