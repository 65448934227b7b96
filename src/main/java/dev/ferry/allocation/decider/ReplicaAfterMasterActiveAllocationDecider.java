package dev.ferry.allocation.decider;

import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;

/**
 * A replica recovers from its master, so it is placed only once the master is active
 * (ES's ReplicaAfterPrimaryActiveAllocationDecider). In a simulation an assigned master is enough.
 */
public final class ReplicaAfterMasterActiveAllocationDecider implements CopyScopedDecider {
    public static final String NAME = "replica_after_master_active";
    private static final Decision YES_MASTER = Decision.yes(NAME, "copy is a master");
    private static final Decision YES_ACTIVE = Decision.yes(NAME, "master copy is active");
    private static final Decision NO = Decision.no(NAME, "master copy is not active");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, Routing routing) {
        if (copy.isMaster()) {
            return YES_MASTER;
        }
        if (copy.queue().masterActive() || (routing.simulation() && copy.queue().master().state() != CopyState.UNASSIGNED)) {
            return YES_ACTIVE;
        }
        return NO;
    }
}
