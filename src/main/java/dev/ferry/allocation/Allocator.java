package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The entry point of the allocation core: one round ({@link #round}), one copy that needs a home now
 * ({@link #allocate}), the desired balance ({@link #desiredBalance}), an explanation ({@link #explain}) and the
 * cluster-wide copy cap ({@link #checkCopyLimit}).
 *
 * <p>Every call works on the given immutable {@link ClusterView} only and is deterministic: the same view gives the
 * same answer. Stateless and thread-safe.
 */
public final class Allocator {
    /** Desired-balance simulation passes before giving up on a fixed point. */
    static final int MAX_DESIRED_ITERATIONS = 50;

    private final AllocationDeciders deciders;

    /** An allocator with every decider of the specification. */
    public Allocator() {
        this(AllocationDeciders.standard());
    }

    /** @param deciders the rules to apply */
    public Allocator(AllocationDeciders deciders) {
        this.deciders = deciders;
    }

    /** @return the rules applied */
    public AllocationDeciders deciders() {
        return deciders;
    }

    /**
     * One allocation round: place unassigned copies, move copies that may not remain, balance (towards the desired
     * balance with {@code ferry.allocation.type=desired_balance}), then apply the flood-stage read-only blocks.
     * Placements start INITIALIZING and moves RELOCATING in {@link RoundResult#next()}; nothing completes here.
     */
    public RoundResult round(ClusterView view) {
        return round(view, view.settings().desiredBalance() ? desiredBalance(view) : null);
    }

    /**
     * A round steering towards a desired balance the caller computed earlier (e.g. cached while the cluster's shape is
     * unchanged); null means greedy balancing.
     */
    public RoundResult round(ClusterView view, DesiredBalance desired) {
        Routing routing = new Routing(view, false);
        Balancer balancer = new Balancer(routing, deciders);
        balancer.allocateUnassigned(desired);
        balancer.moveForced(desired);
        if (desired != null) {
            balancer.reconcile(desired);
        } else {
            balancer.balance();
        }
        ClusterView after = routing.toView();
        Set<String> readOnly = DiskThresholdMonitor.readOnlyTopics(after);
        ClusterView next = withReadOnly(after, readOnly);
        int undesired = 0;
        if (desired != null) {
            for (Copy c : next.copies()) {
                String want = desired.assignments().get(c.id());
                if (c.state() != CopyState.UNASSIGNED && want != null && !want.equals(c.owningNode())) {
                    undesired++;
                }
            }
        }
        List<UnassignedCopy> unassigned = new ArrayList<>();
        for (RoutingCopy c : routing.copies()) {
            if (c.state() == CopyState.UNASSIGNED) {
                UnassignedCopy u = balancer.unassigned.get(c.id());
                unassigned.add(u != null ? u : new UnassignedCopy(c.id(), AllocationStatus.NO_ATTEMPT, c.unassignedInfo(),
                        "became unassigned during this round (" + c.unassignedInfo().details() + ")"));
            }
        }
        return new RoundResult(next, balancer.placements, balancer.moves, unassigned, readOnly, Optional.ofNullable(desired), undesired);
    }

    /**
     * Computes where every copy should end up: simulates rounds on a copy of the cluster in which recoveries complete
     * at once and the pacing deciders stand aside, starting from where copies are (relocations at their targets),
     * until nothing changes.
     */
    public DesiredBalance desiredBalance(ClusterView view) {
        Routing sim = new Routing(view, true);
        for (RoutingCopy c : sim.copies()) {
            if (c.state() == CopyState.INITIALIZING || c.state() == CopyState.RELOCATING) {
                sim.start(c);
            }
        }
        Balancer balancer = new Balancer(sim, deciders);
        int iterations = 0;
        boolean converged = false;
        while (iterations < MAX_DESIRED_ITERATIONS) {
            iterations++;
            int changes = balancer.allocateUnassigned(null);
            changes += balancer.moveForced(null);
            changes += balancer.balance();
            if (changes == 0) {
                converged = true;
                break;
            }
        }
        Map<CopyId, String> out = new HashMap<>();
        for (RoutingCopy c : sim.copies()) {
            if (c.owner() != null) {
                out.put(c.id(), c.owner().name());
            }
        }
        return new DesiredBalance(out, iterations, converged);
    }

    /**
     * Where to put one copy right now, cheaply (no desired-balance computation): a relocating copy goes to its target,
     * an assigned copy stays, an unassigned copy goes to the lightest node that says YES (or waits for a lighter one
     * that throttles).
     *
     * @throws IllegalArgumentException if the view has no such copy
     */
    public AllocationResult allocate(ClusterView view, CopyId copy) {
        return allocate(view, copy, null);
    }

    /**
     * As {@link #allocate(ClusterView, CopyId)}, preferring the copy's node in {@code desired} (may be null) when it
     * says YES.
     */
    public AllocationResult allocate(ClusterView view, CopyId copy, DesiredBalance desired) {
        return new AllocationSession(this, view, desired).allocate(copy);
    }

    /**
     * A session answering many {@link #allocate} questions against one view, recording the placements made in between
     * (for many {@code allocateShard} calls in a row).
     */
    public AllocationSession session(ClusterView view, DesiredBalance desired) {
        return new AllocationSession(this, view, desired);
    }

    /**
     * Explains one copy: every node's answer with every decider's explanation and the weight ranking; for an
     * assigned copy also whether it may remain, move and rebalance.
     *
     * @throws IllegalArgumentException if the view has no such copy
     */
    public AllocationExplanation explain(ClusterView view, CopyId copy) {
        DesiredBalance desired = view.settings().desiredBalance() ? desiredBalance(view) : null;
        Routing routing = new Routing(view, false);
        routing.debug(true);
        RoutingCopy c = routing.existingCopy(copy);
        RoutingTopic topic = c.topic();
        Balancer balancer = new Balancer(routing, deciders);
        WeightFunction wf = balancer.weights();
        List<RoutingNode> ranked = new ArrayList<>(List.of(routing.nodes()));
        Map<RoutingNode, Double> weight = new HashMap<>();
        for (RoutingNode n : ranked) {
            weight.put(n, wf.weight(routing, n, topic));
        }
        ranked.sort(Comparator.<RoutingNode>comparingDouble(weight::get).thenComparing(RoutingNode::name));
        String desiredNode = desired == null ? null : desired.nodeOf(copy).orElse(null);
        RoutingNode current = c.state() == CopyState.UNASSIGNED ? null : c.node();
        double threshold = wf.threshold(topic);
        List<NodeDecision> nodeDecisions = new ArrayList<>();
        RoutingNode bestYes = null;
        RoutingNode bestThrottle = null;
        RoutingNode bestRebalance = null;
        for (int i = 0; i < ranked.size(); i++) {
            RoutingNode n = ranked.get(i);
            if (n == current) {
                continue;
            }
            List<Decision> all = deciders.canAllocateAll(c, n, routing);
            Decision.Type type = Decision.worst(all);
            String word = type == Decision.Type.THROTTLE ? "throttled" : type.word();
            if (current != null && type == Decision.Type.YES) {
                boolean better = weight.get(n) + threshold < weight.get(current);
                if (better && bestRebalance == null) {
                    bestRebalance = n;
                }
                if (!better) {
                    word = "worse_balance";
                }
            }
            if (type == Decision.Type.YES && bestYes == null) {
                bestYes = n;
            }
            if (type == Decision.Type.THROTTLE && bestThrottle == null) {
                bestThrottle = n;
            }
            nodeDecisions.add(new NodeDecision(n.name(), n.node().host(), n.node().attributes(), word, weight.get(n), i + 1, all));
        }
        if (current == null) {
            Decision general = deciders.canAllocate(c, routing);
            String can;
            String why;
            RoutingCopy failover = Balancer.failoverCandidate(c);
            if (failover != null) {
                can = "yes";
                why = "failover: the master is promoted onto its in-sync replica on node [" + failover.node().name()
                        + "], STARTED at once; a promotion is not an allocation, so no decider is asked";
            } else if (general.isNo()) {
                can = "no";
                why = "cannot allocate because [" + general.decider() + "] " + general.explanation();
            } else if (routing.nodes().length == 0) {
                can = "no";
                why = "cannot allocate because there are no nodes in the cluster";
            } else if (bestYes != null) {
                can = "yes";
                RoutingNode dataNode = balancer.dataNode(c);
                if (dataNode != null && deciders.canAllocate(c, dataNode, routing).isYes()) {
                    why = "can allocate the copy to node [" + dataNode.name() + "], which holds its data";
                } else {
                    String target = desiredNode != null && routing.node(desiredNode) != null ? desiredNode : bestYes.name();
                    why = "can allocate the copy to node [" + target + "]";
                }
            } else if (bestThrottle != null) {
                can = "throttled";
                why = "allocation temporarily throttled: node [" + bestThrottle.name() + "] accepts the copy once a recovery slot frees up";
            } else {
                can = "no";
                why = c.isMaster() && !c.queue().isNew()
                        ? "cannot allocate because no node holding an in-sync copy of this queue accepts the master"
                        : "cannot allocate because allocation is not permitted to any of the nodes";
            }
            return new AllocationExplanation(copy, copy.role(), c.state(), null, null, c.unassignedInfo(), can, why, null, null, null,
                    null, null, null, null, null, null, desiredNode, nodeDecisions);
        }
        List<Decision> remain = deciders.canRemainAll(c, current, routing);
        Decision.Type remainType = Decision.worst(remain);
        String canMove = null;
        String moveWhy;
        if (remainType == Decision.Type.NO) {
            if (bestYes != null) {
                canMove = "yes";
                moveWhy = "the copy cannot remain on its node and can move to node [" + bestYes.name() + "]";
            } else if (bestThrottle != null) {
                canMove = "throttled";
                moveWhy = "the copy cannot remain on its node and waits to move to node [" + bestThrottle.name() + "]";
            } else {
                canMove = "no";
                moveWhy = "the copy cannot remain on its node, but no other node accepts it, so it stays";
            }
        } else if (remain.contains(dev.ferry.allocation.decider.SameQueueAllocationDecider.YES_PROMOTION_PENDING)) {
            // Not "can remain": it stays only until the promotion onto its log is recorded, then it must leave.
            moveWhy = "the copy stays on its node for now: " + dev.ferry.allocation.decider.SameQueueAllocationDecider.YES_PROMOTION_PENDING.explanation();
        } else {
            moveWhy = "the copy can remain on its current node";
        }
        List<Decision> rebalance = deciders.canRebalanceAll(c, routing);
        Decision.Type rebalanceType = Decision.worst(rebalance);
        String rebalanceWord = rebalanceType == Decision.Type.THROTTLE ? "throttled" : rebalanceType.word();
        String toOther;
        String rebalanceWhy;
        if (rebalanceType != Decision.Type.YES) {
            toOther = rebalanceWord;
            rebalanceWhy = "rebalancing is not allowed now";
        } else if (desired != null && desiredNode != null && !desiredNode.equals(current.name())) {
            toOther = "yes";
            rebalanceWhy = "the desired balance places this copy on node [" + desiredNode + "]";
        } else if (desired != null) {
            toOther = "worse_balance";
            rebalanceWhy = "the copy is on its desired node; moving it would not improve the balance";
        } else if (bestRebalance != null) {
            toOther = "yes";
            rebalanceWhy = "moving the copy to node [" + bestRebalance.name() + "] would improve the balance";
        } else {
            toOther = "worse_balance";
            rebalanceWhy = "cannot rebalance as no target node exists that can both allocate this copy and improve the cluster balance";
        }
        int rank = ranked.indexOf(current) + 1;
        return new AllocationExplanation(copy, copy.role(), c.state(), current.name(), c.target() == null ? null : c.target().name(), null,
                null, null, remainType.word(), remain, canMove, moveWhy, rebalanceWord, rebalance, toOther, rebalanceWhy, rank,
                desiredNode, nodeDecisions);
    }

    /**
     * Every node's non-YES answers for many unassigned copies at once (one routing, no desired balance): what the
     * simulator prints for unassigned copies.
     *
     * @return copy → its NO / THROTTLE decisions on every node, in node order; copies not unassigned are skipped
     */
    public Map<CopyId, List<StepResult.NodeVerdict>> unassignedDecisions(ClusterView view, List<CopyId> copies) {
        Routing routing = new Routing(view, false);
        routing.debug(true);
        Map<CopyId, List<StepResult.NodeVerdict>> out = new java.util.LinkedHashMap<>();
        for (CopyId id : copies) {
            RoutingCopy c = routing.copy(id);
            if (c == null || c.state() != CopyState.UNASSIGNED) {
                continue;
            }
            List<StepResult.NodeVerdict> verdicts = new ArrayList<>();
            for (RoutingNode n : routing.nodes()) {
                for (Decision d : deciders.canAllocateAll(c, n, routing)) {
                    if (!d.isYes()) {
                        verdicts.add(new StepResult.NodeVerdict(n.name(), d.decider(), d.type(), d.explanation()));
                    }
                }
            }
            out.put(id, verdicts);
        }
        return out;
    }

    /**
     * The cluster-wide cap ({@code ferry.max-queue-copies-per-node} times the node count, ES's
     * {@code cluster.max_shards_per_node}): checked before creating a topic or raising its replicas; it never moves anything.
     *
     * As ES's {@code ShardLimitValidator}, it does not apply while the cluster has no nodes.
     *
     * @param copiesToAdd queue copies the action would add
     * @return the refusal message, empty when the action fits
     */
    public static Optional<String> checkCopyLimit(ClusterView view, long copiesToAdd) {
        if (view.nodes().isEmpty()) {
            return Optional.empty();
        }
        long current = 0;
        for (Topic t : view.topics().values()) {
            current += (long) t.queues() * view.copiesPerQueue(t);
        }
        long max = (long) view.settings().maxQueueCopiesPerNode() * view.nodes().size();
        if (copiesToAdd > 0 && current + copiesToAdd > max) {
            return Optional.of("this action would add [" + copiesToAdd + "] queue copies, but this cluster currently has [" + current + "]/["
                    + max + "] maximum queue copies open; raise [" + AllocationSettings.MAX_QUEUE_COPIES_PER_NODE + "] or add nodes");
        }
        return Optional.empty();
    }

    private static ClusterView withReadOnly(ClusterView view, Set<String> readOnly) {
        ClusterView.Builder b = null;
        for (Topic t : view.topics().values()) {
            boolean now = readOnly.contains(t.name());
            if (now != t.settings().readOnlyAllowDelete()) {
                if (b == null) {
                    b = view.toBuilder();
                }
                Map<String, String> change = new HashMap<>();
                change.put(TopicSettings.READ_ONLY_ALLOW_DELETE, now ? "true" : null);
                b.topic(t.withSettings(change));
            }
        }
        return b == null ? view : b.build();
    }
}
