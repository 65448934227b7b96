package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three phases of an allocation round over one {@link Routing} (ES's BalancedShardsAllocator and
 * DesiredBalanceReconciler): place unassigned copies, move copies that may not remain, balance. With a desired
 * balance the phases steer copies to their desired nodes; without one (and inside the desired-balance simulation)
 * they are ES's greedy weight-driven phases.
 *
 * <p>Not thread-safe: confined to the computation owning the routing.
 */
final class Balancer {
    /** ES compares weights with this tolerance. */
    private static final double EPSILON = 0.001;
    /** How many of the lightest nodes {@link #choose} picks by selection before sorting the rest. */
    private static final int SELECT_FIRST = 4;

    private final Routing routing;
    private final AllocationDeciders deciders;
    private final WeightFunction weights;
    private final RoutingNode[] nodes;
    private final long[] keys;

    /** Copies balancing already moved in this computation: in a simulation each copy moves at most once. */
    private final java.util.Set<RoutingCopy> balanced = new java.util.HashSet<>();
    final List<Placement> placements = new ArrayList<>();
    final List<Move> moves = new ArrayList<>();
    final Map<CopyId, UnassignedCopy> unassigned = new LinkedHashMap<>();

    Balancer(Routing routing, AllocationDeciders deciders) {
        this.routing = routing;
        this.deciders = deciders;
        this.weights = new WeightFunction(routing.settings());
        this.nodes = routing.nodes();
        this.keys = new long[nodes.length];
    }

    WeightFunction weights() {
        return weights;
    }

    // ------------------------------------------------------------------ phase 1: unassigned copies

    /**
     * @return unassigned copies in placement order: masters first, then first replicas of every queue, then second ...;
     * within each, higher {@code topic.priority}, then newer topics, then topic names in reverse order (ES's
     * PriorityComparator), then queue ids
     */
    List<RoutingCopy> unassignedInOrder() {
        List<RoutingCopy> list = new ArrayList<>();
        for (RoutingCopy c : routing.copies()) {
            if (c.state() == CopyState.UNASSIGNED) {
                list.add(c);
            }
        }
        // ES's PriorityComparator: priority, then creation time, then name, all descending
        list.sort(Comparator.<RoutingCopy>comparingInt(c -> c.id().copy())
                .thenComparingInt(c -> -c.topic().settings().priority())
                .thenComparing(c -> c.topic().topic().createdAt(), Comparator.reverseOrder())
                .thenComparing(c -> c.topic().name(), Comparator.reverseOrder())
                .thenComparingInt(c -> c.id().queue()));
        return list;
    }

    /**
     * Places unassigned copies: on their desired node when one is given and says YES (waiting when it throttles),
     * otherwise on the lightest node that says YES.
     *
     * @return how many copies were placed
     */
    int allocateUnassigned(DesiredBalance desired) {
        unassigned.clear();
        if (nodes.length == 0) {
            for (RoutingCopy c : unassignedInOrder()) {
                unassigned.put(c.id(), new UnassignedCopy(c.id(), AllocationStatus.DECIDERS_NO, c.unassignedInfo(), "there are no nodes in the cluster"));
            }
            return 0;
        }
        int placed = failover();
        Map<RoutingQueue, UnassignedCopy> failedQueues = new HashMap<>();
        for (RoutingCopy c : unassignedInOrder()) {
            if (c.state() != CopyState.UNASSIGNED) {
                continue;
            }
            UnassignedCopy failed = failedQueues.get(c.queue());
            if (failed != null && !c.isMaster()) {
                unassigned.put(c.id(), new UnassignedCopy(c.id(), AllocationStatus.NO_ATTEMPT, c.unassignedInfo(),
                        "not attempted: another replica of this queue could not be allocated this round (" + failed.explanation() + ")"));
                continue;
            }
            Decision general = deciders.canAllocate(c, routing);
            if (general.isNo()) {
                unassigned.put(c.id(), new UnassignedCopy(c.id(), AllocationStatus.DECIDERS_NO, c.unassignedInfo(), describe(general)));
                continue;
            }
            RoutingNode dataNode = dataNode(c);
            if (dataNode != null && takePreferred(c, dataNode, "node [" + dataNode.name() + "], which holds the copy's data")) {
                placed += c.state() == CopyState.UNASSIGNED ? 0 : 1;
                continue;
            }
            String want = desired == null ? null : desired.assignments().get(c.id());
            RoutingNode target = want == null ? null : routing.node(want);
            if (target != null && takePreferred(c, target, "its desired node [" + target.name() + "]")) {
                placed += c.state() == CopyState.UNASSIGNED ? 0 : 1;
                continue;
            }
            Choice choice = choose(c, null, true);
            if (choice.yes != null) {
                assign(c, choice.yes);
                placed++;
            } else if (choice.throttled != null) {
                unassigned.put(c.id(), new UnassignedCopy(c.id(), AllocationStatus.DECIDERS_THROTTLED, c.unassignedInfo(),
                        "waiting for node [" + choice.throttled.name() + "]: " + describe(choice.throttleDecision)));
            } else {
                UnassignedCopy u = new UnassignedCopy(c.id(), AllocationStatus.DECIDERS_NO, c.unassignedInfo(),
                        "no node accepts this copy; e.g. node [" + choice.firstNoNode + "]: " + describe(explained(c, routing.node(choice.firstNoNode))));
                unassigned.put(c.id(), u);
                failedQueues.put(c.queue(), u);
            }
        }
        return placed;
    }

    /**
     * Failover, before anything is placed: every unassigned master of a queue that has a log and a started in-sync
     * replica is promoted onto that replica in place, STARTED at once (ES promotes an active replica when the
     * primary's node leaves, in {@code RoutingNodes.failShard}). It is not an allocation, so no decider is asked:
     * {@code enable}, throttling and filters neither block nor delay it, which is what lets a rolling restart with
     * {@code enable = primaries / none} keep every queue served.
     *
     * @return how many masters were promoted
     */
    int failover() {
        int promoted = 0;
        for (RoutingTopic t : routing.topics()) {
            for (int q = 0; q < t.queueCount(); q++) {
                RoutingCopy master = t.queue(q).master();
                RoutingCopy replica = failoverCandidate(master);
                if (replica != null) {
                    String node = replica.node().name();
                    routing.promote(master, replica);
                    placements.add(new Placement(master.id(), node, true));
                    promoted++;
                }
            }
        }
        return promoted;
    }

    /** @return the started in-sync replica an unassigned master of a queue with a log fails over to (lowest copy number), or null */
    static RoutingCopy failoverCandidate(RoutingCopy master) {
        if (!master.isMaster() || master.state() != CopyState.UNASSIGNED || master.queue().isNew()) {
            return null;
        }
        List<RoutingCopy> promotable = promotableReplicas(master.queue());
        return promotable.isEmpty() ? null : promotable.get(0);
    }

    /** The queue's started in-sync replicas, which a master may be promoted onto, lowest copy number first. */
    private static List<RoutingCopy> promotableReplicas(RoutingQueue queue) {
        List<RoutingCopy> out = new ArrayList<>();
        for (int i = 1; i < queue.size(); i++) {
            RoutingCopy c = queue.copy(i);
            if (c.state() == CopyState.STARTED && c.isPromotable()) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Places {@code c} on {@code node} when it says YES, or records that {@code c} waits for it when it throttles.
     *
     * @return whether {@code c} is settled for this round (placed or waiting); false on NO
     */
    private boolean takePreferred(RoutingCopy c, RoutingNode node, String what) {
        Decision d = deciders.canAllocate(c, node, routing);
        if (d.isYes()) {
            assign(c, node);
            return true;
        }
        if (d.type() == Decision.Type.THROTTLE) {
            unassigned.put(c.id(), new UnassignedCopy(c.id(), AllocationStatus.DECIDERS_THROTTLED, c.unassignedInfo(),
                    "waiting for " + what + ": " + describe(d)));
            return true;
        }
        return false;
    }

    /**
     * The node in the cluster that last held an unassigned replica's data (a node that left and came back), or null.
     * A replica goes back there before balance is asked, as ES's replica allocator prefers a node with a matching
     * store: the copy catches up from its own log instead of copying it anew elsewhere, and a rolling restart ends
     * with every copy where it was. Masters start where their data is by other rules (in-sync copies, promotion).
     */
    RoutingNode dataNode(RoutingCopy c) {
        if (c.isMaster() || c.unassignedInfo() == null || c.unassignedInfo().lastNode().isEmpty()) {
            return null;
        }
        return routing.node(c.unassignedInfo().lastNode());
    }

    private void assign(RoutingCopy c, RoutingNode target) {
        boolean promotion = c.isMaster() && c.queue().copyOn(target) != null;
        routing.initialize(c, target);
        placements.add(new Placement(c.id(), target.name(), promotion));
    }

    /** The outcome of searching the nodes for one copy. */
    static final class Choice {
        RoutingNode yes;
        RoutingNode throttled;
        Decision throttleDecision;
        Decision firstNo;
        String firstNoNode;
    }

    /**
     * Finds the lightest node (by weight for the copy's topic) that says YES, skipping {@code exclude}. With
     * {@code takeThrottle} (placing unassigned copies, as ES does) a THROTTLE on a lighter node wins over a YES on a
     * heavier one: the copy waits for the better node rather than landing somewhere it would later have to leave.
     */
    Choice choose(RoutingCopy c, RoutingNode exclude, boolean takeThrottle) {
        Choice choice = new Choice();
        int n = weighKeys(c.topic(), rotation(c));
        double throttleWeight = Double.NaN;
        for (int i = 0; i < n; i++) {
            // Usually one of the lightest few nodes says YES: select those one by one, sort only if that fails.
            if (i < SELECT_FIRST) {
                selectMin(i, n);
            } else if (i == SELECT_FIRST) {
                Arrays.sort(keys, i, n);
            }
            RoutingNode node = nodes[nodeOf(keys[i], c)];
            if (node == exclude) {
                continue;
            }
            if (!Double.isNaN(throttleWeight) && weights.relativeWeight(node, c.topic()) > throttleWeight + 1e-9) {
                break; // nothing as light as the throttled node says YES: wait for it
            }
            Decision d = deciders.canAllocate(c, node, routing);
            if (d.isYes()) {
                choice.yes = node;
                return choice;
            }
            if (d.type() == Decision.Type.THROTTLE) {
                if (choice.throttled == null) {
                    choice.throttled = node;
                    choice.throttleDecision = d;
                    if (takeThrottle) {
                        throttleWeight = weights.relativeWeight(node, c.topic());
                    }
                }
            } else if (choice.firstNo == null) {
                choice.firstNo = d;
                choice.firstNoNode = node.name();
            }
        }
        if (!takeThrottle) {
            choice.throttled = null;
        }
        return choice;
    }

    /** Ties between equally heavy nodes rotate with the queue, so copies spread round-robin like ES's layouts. */
    private int rotation(RoutingCopy c) {
        return Math.floorMod(c.topic().index() * 31 + c.id().queue() + c.id().copy() * 7, Math.max(nodes.length, 1));
    }

    private int nodeOf(long key, RoutingCopy c) {
        int rank = (int) (key & 0xFFFF);
        return Math.floorMod(rank + rotation(c), nodes.length);
    }

    /** Fills {@link #keys} with one sortable key per node: high bits its weight for {@code topic}, low 16 bits its tie rank. */
    private int weighKeys(RoutingTopic topic, int rotation) {
        for (int i = 0; i < nodes.length; i++) {
            keys[i] = key(weights.relativeWeight(nodes[i], topic), Math.floorMod(i - rotation, nodes.length));
        }
        return nodes.length;
    }

    /** One selection-sort step: moves the least key of {@code keys[i..n)} to {@code i}. */
    private void selectMin(int i, int n) {
        int min = i;
        for (int j = i + 1; j < n; j++) {
            if (keys[j] < keys[min]) {
                min = j;
            }
        }
        long t = keys[i];
        keys[i] = keys[min];
        keys[min] = t;
    }

    private static long key(double weight, int rank) {
        long bits = Double.doubleToLongBits(weight + 0.0);
        bits ^= (bits >> 63) & 0x7fffffffffffffffL; // order-preserving as a signed long
        return (bits & ~0xFFFFL) | rank;
    }

    // ------------------------------------------------------------------ phase 2: copies that may not remain

    /**
     * Moves every started copy whose node answers canRemain NO: to its desired node if that says YES, else to the
     * lightest node saying YES (never a THROTTLE). Copies are visited round-robin across nodes so throttled
     * evacuation is fair. Not gated by rebalance settings.
     *
     * @return how many copies started moving
     */
    int moveForced(DesiredBalance desired) {
        int moved = 0;
        for (RoutingCopy c : startedRoundRobin()) {
            if (c.state() != CopyState.STARTED) {
                continue;
            }
            RoutingNode node = c.node();
            if (!deciders.canRemain(c, node, routing).isNo()) {
                continue;
            }
            if (c.isMaster()) {
                moved += promoteForced(c, desired);
                continue;
            }
            RoutingNode target = null;
            if (desired != null) {
                String want = desired.assignments().get(c.id());
                RoutingNode w = want == null ? null : routing.node(want);
                if (w != null && w != node && deciders.canAllocate(c, w, routing).isYes()) {
                    target = w;
                }
            }
            if (target == null) {
                target = choose(c, node, false).yes;
            }
            if (target != null) {
                moves.add(new Move(c.id(), node.name(), target.name(), Move.Kind.FORCED));
                routing.relocate(c, target);
                moved++;
            }
        }
        return moved;
    }

    /**
     * A master that may not remain moves only by promotion onto an in-sync replica's node, which displaces that
     * replica. That is done only when the displaced replica has another node saying YES (neither the master's node nor
     * its own), and the replica starts recovering there at once, so the queue loses no copy; otherwise the master
     * stays, as ES leaves a copy that cannot remain where it is when no node accepts it. Candidates: the desired node
     * first, then the replicas' nodes from the lightest.
     *
     * @return 1 if the master started moving, else 0
     */
    private int promoteForced(RoutingCopy master, DesiredBalance desired) {
        RoutingNode from = master.node();
        List<RoutingCopy> replicas = promotableReplicas(master.queue());
        String want = desired == null ? null : desired.assignments().get(master.id());
        replicas.sort(Comparator.<RoutingCopy>comparingInt(r -> r.node().name().equals(want) ? 0 : 1)
                .thenComparingDouble(r -> weights.relativeWeight(r.node(), master.topic()))
                .thenComparing(r -> r.node().name()));
        for (RoutingCopy r : replicas) {
            RoutingNode to = r.node();
            if (!deciders.canAllocate(master, to, routing).isYes()) {
                continue;
            }
            RoutingNode home = homeForDisplaced(r, from);
            if (home == null) {
                continue;
            }
            moves.add(new Move(master.id(), from.name(), to.name(), Move.Kind.FORCED));
            routing.relocate(master, to);
            if (r.state() == CopyState.UNASSIGNED && deciders.canAllocate(r, home, routing).isYes()) {
                assign(r, home);
            }
            return 1;
        }
        return 0;
    }

    /** @return a node other than {@code masterNode} and its own that says YES to the replica a promotion would displace, or null */
    private RoutingNode homeForDisplaced(RoutingCopy replica, RoutingNode masterNode) {
        Choice choice = choose(replica, replica.node(), false);
        return choice.yes == masterNode ? null : choice.yes;
    }

    /** Started copies, replicas before masters (moving a replica never costs a promotion, and may let the master remain). */
    private List<RoutingCopy> startedRoundRobin() {
        List<RoutingCopy> all = startedRoundRobinAll();
        List<RoutingCopy> out = new ArrayList<>(all.size());
        for (RoutingCopy c : all) {
            if (!c.isMaster()) {
                out.add(c);
            }
        }
        for (RoutingCopy c : all) {
            if (c.isMaster()) {
                out.add(c);
            }
        }
        return out;
    }

    private List<RoutingCopy> startedRoundRobinAll() {
        List<List<RoutingCopy>> perNode = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            perNode.add(new ArrayList<>());
        }
        for (RoutingCopy c : routing.copies()) {
            if (c.state() == CopyState.STARTED) {
                perNode.get(c.node().index()).add(c);
            }
        }
        List<RoutingCopy> out = new ArrayList<>();
        for (int round = 0; ; round++) {
            boolean any = false;
            for (List<RoutingCopy> list : perNode) {
                if (round < list.size()) {
                    out.add(list.get(round));
                    any = true;
                }
            }
            if (!any) {
                return out;
            }
        }
    }

    // ------------------------------------------------------------------ phase 3: balance

    /**
     * Moves started copies that are not on their desired node towards it, heaviest source nodes first, as long as
     * rebalancing is allowed and not throttled cluster-wide.
     *
     * @return how many copies started moving
     */
    int reconcile(DesiredBalance desired) {
        routing.freezeActivityForBalancing();
        Decision cluster = deciders.canRebalance(routing);
        if (cluster.type() != Decision.Type.YES) {
            return 0;
        }
        List<RoutingCopy> candidates = new ArrayList<>();
        for (RoutingCopy c : routing.copies()) {
            if (c.state() != CopyState.STARTED || c.isMaster()) {
                continue;
            }
            String want = desired.assignments().get(c.id());
            if (want != null && !want.equals(c.node().name())) {
                candidates.add(c);
            }
        }
        candidates.sort(Comparator.<RoutingCopy>comparingInt(c -> -c.node().copies()).thenComparing(RoutingCopy::id));
        int moved = 0;
        for (RoutingCopy c : candidates) {
            if (c.state() != CopyState.STARTED) {
                continue;
            }
            Decision d = deciders.canRebalance(c, routing);
            if (d.type() == Decision.Type.THROTTLE) {
                break;
            }
            if (d.isNo()) {
                continue;
            }
            RoutingNode target = routing.node(desired.assignments().get(c.id()));
            if (deciders.canAllocate(c, target, routing).isYes()) {
                moves.add(new Move(c.id(), c.node().name(), target.name(), Move.Kind.REBALANCE));
                routing.relocate(c, target);
                moved++;
            }
        }
        return moved;
    }

    /**
     * ES's weight-driven balancing: topic by topic, most unbalanced first, relocate copies from the heaviest node to
     * the lightest while their weight difference exceeds the threshold.
     *
     * @return how many copies moved
     */
    int balance() {
        routing.freezeActivityForBalancing();
        if (nodes.length < 2 || deciders.canRebalance(routing).type() != Decision.Type.YES) {
            return 0;
        }
        RoutingTopic[] topics = routing.topics().clone();
        double[] spread = new double[topics.length];
        for (RoutingTopic t : topics) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (RoutingNode n : nodes) {
                double w = weights.relativeWeight(n, t);
                min = Math.min(min, w);
                max = Math.max(max, w);
            }
            spread[t.index()] = max - min;
        }
        Arrays.sort(topics, Comparator.<RoutingTopic>comparingDouble(t -> -spread[t.index()]).thenComparing(RoutingTopic::name));
        int moved = 0;
        for (RoutingTopic t : topics) {
            int r = balanceTopic(t);
            if (r < 0) {
                return moved - r - 1;
            }
            moved += r;
        }
        return moved;
    }

    /** @return moves made, or {@code -(moves + 1)} when the cluster-wide rebalance limit stopped balancing */
    private int balanceTopic(RoutingTopic t) {
        double threshold = weights.threshold(t);
        if (!worthBalancing(t, List.of(nodes), threshold)) {
            return 0; // cheap exit before asking deciders which nodes are relevant
        }
        List<RoutingNode> relevant = new ArrayList<>();
        for (RoutingNode n : nodes) {
            if (n.copies(t) > 0 || !deciders.canAllocateTopic(t, n, routing).isNo()) {
                relevant.add(n);
            }
        }
        if (relevant.size() < 2 || !worthBalancing(t, relevant, threshold)) {
            return 0;
        }
        RoutingNode[] sorted = relevant.toArray(new RoutingNode[0]);
        double[] w = new double[sorted.length];
        sortRelevant(sorted, w, t);
        int moved = 0;
        int low = 0;
        int high = sorted.length - 1;
        while (true) {
            boolean shrink = false;
            if (sorted[high].copies(t) > 0) {
                double delta = w[high] - w[low];
                if (delta <= threshold + EPSILON) {
                    if (low > 0 && high - 1 > 0 && w[high - 1] - w[0] > threshold + EPSILON) {
                        shrink = true; // unequal zones: a lower pair may still be out of balance
                    } else {
                        return moved;
                    }
                } else {
                    int r = tryRelocate(t, sorted[high], sorted[low]);
                    if (r < 0) {
                        return -(moved + 1);
                    }
                    if (r > 0) {
                        moved++;
                        sortRelevant(sorted, w, t);
                        low = 0;
                        high = sorted.length - 1;
                        continue;
                    }
                }
            } else {
                shrink = true; // the heaviest node holds nothing of this topic to give
            }
            if (!shrink && low < high - 1) {
                low++;
            } else if (high > 1) {
                low = 0;
                high--;
            } else {
                return moved;
            }
        }
    }

    /** @return whether some node holding {@code t} is heavier than some node by more than the threshold */
    private boolean worthBalancing(RoutingTopic t, List<RoutingNode> candidates, double threshold) {
        double minAll = Double.MAX_VALUE;
        double maxHolding = -Double.MAX_VALUE;
        for (RoutingNode n : candidates) {
            double w = weights.relativeWeight(n, t);
            minAll = Math.min(minAll, w);
            if (n.copies(t) > 0) {
                maxHolding = Math.max(maxHolding, w);
            }
        }
        return maxHolding - minAll > threshold + EPSILON;
    }

    private void sortRelevant(RoutingNode[] sorted, double[] w, RoutingTopic t) {
        long[] k = new long[sorted.length];
        RoutingNode[] copy = sorted.clone();
        for (int i = 0; i < copy.length; i++) {
            k[i] = key(weights.relativeWeight(copy[i], t), i);
        }
        Arrays.sort(k);
        for (int i = 0; i < k.length; i++) {
            sorted[i] = copy[(int) (k[i] & 0xFFFF)];
            w[i] = weights.relativeWeight(sorted[i], t);
        }
    }

    /** @return 1 if a copy of {@code t} started moving from high to low, 0 if none could, -1 if rebalancing is throttled */
    private int tryRelocate(RoutingTopic t, RoutingNode high, RoutingNode low) {
        for (int q = t.queueCount() - 1; q >= 0; q--) {
            RoutingQueue queue = t.queue(q);
            for (int i = queue.size() - 1; i >= 0; i--) {
                RoutingCopy c = queue.copy(i);
                if (c.node() != high || c.state() != CopyState.STARTED) {
                    continue;
                }
                if (routing.simulation() && balanced.contains(c)) {
                    continue; // moving it again would undo part of the plan: the desired balance moves each copy once
                }
                if (c.isMaster() && queue.copyOn(low) != null) {
                    continue; // a master only moves by promotion, which balancing never forces
                }
                Decision rebalance = deciders.canRebalance(c, routing);
                if (rebalance.type() == Decision.Type.THROTTLE) {
                    return -1;
                }
                if (rebalance.isNo()) {
                    continue;
                }
                if (deciders.canAllocate(c, low, routing).isYes()) {
                    moves.add(new Move(c.id(), high.name(), low.name(), Move.Kind.REBALANCE));
                    routing.relocate(c, low);
                    balanced.add(c);
                    return 1;
                }
            }
        }
        return 0;
    }

    /** Asks again in debug mode, for a full explanation of a NO found in fast mode. */
    private Decision explained(RoutingCopy c, RoutingNode node) {
        boolean was = routing.debug();
        routing.debug(true);
        try {
            return deciders.canAllocate(c, node, routing);
        } finally {
            routing.debug(was);
        }
    }

    private static String describe(Decision d) {
        return d.decider().isEmpty() ? d.explanation() : "[" + d.decider() + "] " + d.explanation();
    }
}
