package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;

/**
 * A rule asked the same way for placing a copy on a node and for letting it stay there, with one difference the
 * rule knows (e.g. a limit counts the copy itself only when it would be added).
 */
interface PlaceOrRemainDecider extends AllocationDecider {

    /** @param remaining true when {@code copy} is already on {@code node} and the question is whether it may stay */
    Decision decide(RoutingCopy copy, RoutingNode node, Routing routing, boolean remaining);

    @Override
    default Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        return decide(copy, node, routing, false);
    }

    @Override
    default Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        return decide(copy, node, routing, true);
    }
}
