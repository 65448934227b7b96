package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;

/** A queue is rebalanced only when all its copies are active (ES's RebalanceOnlyWhenActiveAllocationDecider). */
public final class RebalanceOnlyWhenActiveAllocationDecider implements AllocationDecider {
    public static final String NAME = "rebalance_only_when_active";
    private static final Decision YES = Decision.yes(NAME, "rebalancing is allowed as all copies of this queue are active");
    private static final Decision NO = Decision.no(NAME, "rebalancing is not allowed until all copies of this queue are active");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canRebalance(RoutingCopy copy, Routing routing) {
        return routing.simulation() || copy.queue().allActive() ? YES : NO;
    }
}
