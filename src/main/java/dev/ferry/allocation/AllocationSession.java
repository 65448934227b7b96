package dev.ferry.allocation;

import java.util.Optional;

/**
 * Answers many "where does this copy go now" questions against one view without rebuilding it for each: what the
 * shell needs when Akka calls {@code allocateShard} for many shards in a row (cluster start, a node leaving). Each
 * placement the caller makes is recorded with {@link #placed}, so later answers see it (counts, throttles, same-queue).
 *
 * <p>Not thread-safe: one session per caller and view.
 */
public final class AllocationSession {
    private final AllocationDeciders deciders;
    private final Routing routing;
    private final Balancer balancer;
    private final DesiredBalance desired;

    /**
     * @param allocator whose deciders answer
     * @param view      the cluster now
     * @param desired   a desired balance to prefer (may be null)
     */
    public AllocationSession(Allocator allocator, ClusterView view, DesiredBalance desired) {
        this.deciders = allocator.deciders();
        this.routing = new Routing(view, false);
        this.balancer = new Balancer(routing, deciders);
        this.desired = desired;
    }

    /**
     * Where {@code copy} should go: a relocating copy to its target, an assigned copy where it is, an unassigned replica
     * to the node that last held its data when that says YES (waiting for it when it throttles), an unassigned copy
     * to its desired node when that says YES, else the lightest node that says YES (or the lighter node it should wait
     * for when that throttles).
     *
     * @throws IllegalArgumentException if the view has no such copy
     */
    public AllocationResult allocate(CopyId copy) {
        RoutingCopy c = routing.existingCopy(copy);
        switch (c.state()) {
            case RELOCATING:
                return new AllocationResult(copy, Decision.Type.YES, Optional.of(c.target().name()), false, "the copy is relocating to this node");
            case STARTED:
            case INITIALIZING:
                return new AllocationResult(copy, Decision.Type.YES, Optional.of(c.node().name()), false, "the copy is already on this node");
            default:
                break;
        }
        RoutingCopy failover = Balancer.failoverCandidate(c);
        if (failover != null) {
            return new AllocationResult(copy, Decision.Type.YES, Optional.of(failover.node().name()), true,
                    "failover: the master is promoted onto its in-sync replica on this node (no decider is asked)");
        }
        if (routing.nodes().length == 0) {
            return new AllocationResult(copy, Decision.Type.NO, Optional.empty(), false, "there are no nodes in the cluster");
        }
        Decision general = deciders.canAllocate(c, routing);
        if (general.isNo()) {
            return new AllocationResult(copy, Decision.Type.NO, Optional.empty(), false, "[" + general.decider() + "] " + general.explanation());
        }
        RoutingNode dataNode = balancer.dataNode(c);
        if (dataNode != null) {
            Decision d = deciders.canAllocate(c, dataNode, routing);
            if (d.isYes()) {
                return new AllocationResult(copy, Decision.Type.YES, Optional.of(dataNode.name()), false,
                        "the node holds the copy's data");
            }
            if (d.type() == Decision.Type.THROTTLE) {
                return new AllocationResult(copy, Decision.Type.THROTTLE, Optional.of(dataNode.name()), false,
                        "waiting for node [" + dataNode.name() + "], which holds the copy's data: [" + d.decider() + "] " + d.explanation());
            }
        }
        if (desired != null) {
            RoutingNode want = desired.nodeOf(copy).map(routing::node).orElse(null);
            if (want != null && deciders.canAllocate(c, want, routing).isYes()) {
                return new AllocationResult(copy, Decision.Type.YES, Optional.of(want.name()), promotion(c, want),
                        "the desired balance places the copy on this node");
            }
        }
        Balancer.Choice choice = balancer.choose(c, null, true);
        if (choice.yes != null) {
            return new AllocationResult(copy, Decision.Type.YES, Optional.of(choice.yes.name()), promotion(c, choice.yes),
                    "the lightest node that accepts the copy");
        }
        if (choice.throttled != null) {
            return new AllocationResult(copy, Decision.Type.THROTTLE, Optional.of(choice.throttled.name()), promotion(c, choice.throttled),
                    "[" + choice.throttleDecision.decider() + "] " + choice.throttleDecision.explanation());
        }
        boolean was = routing.debug();
        routing.debug(true);
        try {
            Decision no = deciders.canAllocate(c, routing.node(choice.firstNoNode), routing);
            return new AllocationResult(copy, Decision.Type.NO, Optional.empty(), false,
                    "no node accepts the copy; e.g. node [" + choice.firstNoNode + "]: [" + no.decider() + "] " + no.explanation());
        } finally {
            routing.debug(was);
        }
    }

    /**
     * Records that the caller placed an unassigned copy on {@code node}: it counts as initializing there from now on
     * (a master placed on one of its in-sync replicas' node displaces that replica, as a promotion does).
     *
     * @throws IllegalArgumentException if the copy or node is unknown, or the copy is not unassigned
     */
    public void placed(CopyId copy, String node) {
        RoutingCopy c = routing.existingCopy(copy);
        RoutingNode n = routing.node(node);
        if (n == null) {
            throw new IllegalArgumentException("no node [" + node + "] in this cluster");
        }
        if (c.state() != CopyState.UNASSIGNED) {
            throw new IllegalArgumentException("copy " + copy + " is " + c.state() + ", not unassigned");
        }
        RoutingCopy failover = Balancer.failoverCandidate(c);
        if (failover != null && failover.node() == n) {
            routing.promote(c, failover);
        } else {
            routing.initialize(c, n);
        }
    }

    /** @return the view with every placement recorded so far */
    public ClusterView view() {
        return routing.toView();
    }

    private static boolean promotion(RoutingCopy c, RoutingNode node) {
        return c.isMaster() && c.queue().copyOn(node) != null;
    }
}
