package dev.ferry.allocation;

/**
 * One allocation rule. Every question defaults to {@link Decision#ALWAYS} (YES, no opinion), so a rule overrides
 * only the questions it cares about. Implementations are stateless and thread-safe; they read the {@link Routing}
 * and never change it. In non-debug mode ({@code !routing.debug()}) they should return shared constant decisions
 * and format detailed explanations only in debug mode, because the balancer asks millions of questions per round.
 */
public interface AllocationDecider {

    /** @return the decider's label, e.g. {@code same_queue}; it appears in every decision it makes */
    String name();

    /** May {@code copy} be placed on (or moved to) {@code node}? */
    default Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        return Decision.ALWAYS;
    }

    /** May {@code copy} be placed anywhere at all? A NO here skips the per-node questions. */
    default Decision canAllocate(RoutingCopy copy, Routing routing) {
        return Decision.ALWAYS;
    }

    /** Could any copy of {@code topic} ever live on {@code node}? Used to choose the nodes worth balancing a topic over. */
    default Decision canAllocateTopic(RoutingTopic topic, RoutingNode node, Routing routing) {
        return Decision.ALWAYS;
    }

    /** May the started {@code copy} stay on {@code node}? A NO forces a move when some node says YES. */
    default Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        return Decision.ALWAYS;
    }

    /** May balancing move {@code copy}? Never asked for forced moves. */
    default Decision canRebalance(RoutingCopy copy, Routing routing) {
        return Decision.ALWAYS;
    }

    /** May balancing run at all this round? */
    default Decision canRebalance(Routing routing) {
        return Decision.ALWAYS;
    }
}
