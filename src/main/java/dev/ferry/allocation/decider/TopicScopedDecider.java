package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingTopic;

/**
 * A rule that depends only on the topic and the node, never on the copy: placing, remaining and "could this topic
 * ever live here" are then one question, so a node that stops qualifying sheds its copies and is left out of the
 * topic's balancing.
 */
interface TopicScopedDecider extends AllocationDecider {

    /** May copies of {@code topic} live on {@code node}? */
    Decision decide(RoutingTopic topic, RoutingNode node, Routing routing);

    @Override
    default Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        return decide(copy.topic(), node, routing);
    }

    @Override
    default Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        return decide(copy.topic(), node, routing);
    }

    @Override
    default Decision canAllocateTopic(RoutingTopic topic, RoutingNode node, Routing routing) {
        return decide(topic, node, routing);
    }
}
