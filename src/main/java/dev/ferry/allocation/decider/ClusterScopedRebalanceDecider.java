package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;

/**
 * A rebalancing rule about the whole cluster, never about one copy: moving a copy is allowed exactly when
 * balancing is allowed this round.
 */
interface ClusterScopedRebalanceDecider extends AllocationDecider {

    @Override
    Decision canRebalance(Routing routing);

    @Override
    default Decision canRebalance(RoutingCopy copy, Routing routing) {
        return canRebalance(routing);
    }
}
