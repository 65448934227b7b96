package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;

/**
 * A placement rule that depends on the copy alone, never on the node: asked about one node, it answers the
 * copy's question, so every node gets the same answer.
 */
interface CopyScopedDecider extends AllocationDecider {

    @Override
    Decision canAllocate(RoutingCopy copy, Routing routing);

    @Override
    default Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        return canAllocate(copy, routing);
    }
}
