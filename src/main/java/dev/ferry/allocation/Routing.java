package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mutable working copy of a {@link ClusterView} that one allocation computation (a round, a desired-balance
 * simulation, an explanation) reads and changes; ES's {@code RoutingAllocation} and {@code RoutingNodes} in one.
 * Deciders read it; only the allocation core changes it, keeping every counter consistent.
 *
 * <p>In a <em>simulation</em> (the desired-balance computation) moves complete at once and the deciders that only
 * pace real recoveries (throttling, concurrent rebalance, allow-rebalance, rebalance-only-when-active) answer YES.
 * In <em>debug</em> mode deciders explain every answer in full; otherwise they return shared constant decisions.
 *
 * <p>Not thread-safe: confined to the thread running the computation.
 */
public final class Routing {
    private final ClusterView view;
    private final AllocationSettings settings;
    private final RoutingNode[] nodes;
    private final Map<String, RoutingNode> nodesByName = new HashMap<>();
    private final RoutingTopic[] topics;
    private final Map<String, RoutingTopic> topicsByName = new HashMap<>();
    private final List<RoutingCopy> copies = new ArrayList<>();
    private final boolean simulation;
    private boolean debug;
    private final Map<String, Integer> awarenessValueCounts = new HashMap<>();
    private final Map<String, Integer> tierNodeCounts = new HashMap<>();
    private final boolean anyDiskReport;
    private final boolean anyTopicRebalanceSetting;
    private final long totalConfiguredCopies;
    private int relocating;
    private int unassigned;
    private int unassignedMasters;
    private int initializing;
    private int initializingMasters;
    /** Activity counts frozen when balancing starts, so moves started by balancing do not stop it (-1: not frozen). */
    private int[] activityAtBalanceStart;

    /**
     * @param view       the snapshot to work on
     * @param simulation whether recoveries complete at once and pacing deciders stand aside
     */
    public Routing(ClusterView view, boolean simulation) {
        this.view = view;
        this.settings = view.settings();
        this.simulation = simulation;
        List<Node> nodeList = new ArrayList<>(view.nodes().values());
        List<Topic> topicList = new ArrayList<>(view.topics().values());
        this.nodes = new RoutingNode[nodeList.size()];
        this.topics = new RoutingTopic[topicList.size()];
        long reportedTotal = 0;
        long reportedUsed = 0;
        int reported = 0;
        for (int i = 0; i < nodes.length; i++) {
            Node n = nodeList.get(i);
            RoutingNode rn = new RoutingNode(i, n, topics.length);
            nodes[i] = rn;
            nodesByName.put(n.name(), rn);
            if (n.disk().isPresent()) {
                rn.diskKnown = true;
                rn.diskTotal = n.disk().get().totalBytes();
                rn.diskUsed = n.disk().get().usedBytes();
                reportedTotal += rn.diskTotal;
                reportedUsed += rn.diskUsed;
                reported++;
            }
            tierNodeCounts.merge(n.tier(), 1, Integer::sum);
        }
        anyDiskReport = reported > 0;
        if (reported > 0 && reported < nodes.length) {
            // ES gives a node that has not reported yet the average usage of the nodes that have.
            for (RoutingNode rn : nodes) {
                if (!rn.diskKnown) {
                    rn.diskKnown = true;
                    rn.diskTotal = reportedTotal / reported;
                    rn.diskUsed = reportedUsed / reported;
                }
            }
        }
        for (String attr : settings.awarenessAttributes()) {
            Set<String> values = new HashSet<>(settings.awarenessForce().getOrDefault(attr, List.of()));
            for (Node n : nodeList) {
                String v = n.attributes().get(attr);
                if (v != null) {
                    values.add(v);
                }
            }
            awarenessValueCounts.put(attr, values.size());
        }
        long configured = 0;
        boolean topicRebalance = false;
        for (int t = 0; t < topics.length; t++) {
            Topic topic = topicList.get(t);
            int perQueue = view.copiesPerQueue(topic);
            RoutingTopic rt = new RoutingTopic(t, topic, perQueue, nodes.length);
            topics[t] = rt;
            topicsByName.put(topic.name(), rt);
            for (int q = 0; q < topic.queues(); q++) {
                rt.queues[q] = new RoutingQueue(rt, q, perQueue);
            }
            configured += rt.totalCopies();
            topicRebalance |= topic.settings().rebalanceEnable().isPresent();
        }
        anyTopicRebalanceSetting = topicRebalance;
        totalConfiguredCopies = configured;
        List<Copy> given = view.copies();
        for (Copy c : given) {
            RoutingTopic rt = topicsByName.get(c.id().topic());
            RoutingQueue rq = rt.queues[c.id().queue()];
            RoutingCopy rc = new RoutingCopy(c.id(), rt, rq);
            rc.state = CopyState.UNASSIGNED;
            rc.size = c.sizeBytes();
            rc.inSync = c.inSync() || c.id().copy() == 0;
            rc.unassignedInfo = c.unassignedInfo();
            rq.copies[c.id().copy()] = rc;
            copies.add(rc);
            rt.maxCopySize = Math.max(rt.maxCopySize, Math.max(c.sizeBytes(), rt.topic().sizeBytes()));
        }
        // Place copies after every queue is complete: recovery accounting looks up each queue's master.
        for (int i = 0; i < given.size(); i++) {
            Copy c = given.get(i);
            RoutingCopy rc = copies.get(i);
            switch (c.state()) {
                case UNASSIGNED -> unassigned(rc, 1);
                case STARTED -> place(rc, node(c.node()), CopyState.STARTED);
                case INITIALIZING -> place(rc, node(c.node()), CopyState.INITIALIZING);
                case RELOCATING -> {
                    place(rc, node(c.node()), CopyState.STARTED);
                    startRelocation(rc, node(c.relocatingTo()));
                }
            }
        }
    }

    // ------------------------------------------------------------------ reads

    /** @return the snapshot this routing was built from */
    public ClusterView view() {
        return view;
    }

    /** @return the cluster settings */
    public AllocationSettings settings() {
        return settings;
    }

    /** @return whether this is a desired-balance simulation (moves complete at once, pacing deciders stand aside) */
    public boolean simulation() {
        return simulation;
    }

    /** @return whether deciders should explain every answer in full */
    public boolean debug() {
        return debug;
    }

    /** Switches full explanations on or off. */
    public void debug(boolean on) {
        this.debug = on;
    }

    /** @return the nodes, in name order */
    public RoutingNode[] nodes() {
        return nodes;
    }

    /** @return the node called {@code name}, or null */
    public RoutingNode node(String name) {
        return nodesByName.get(name);
    }

    /** @return the topics, in name order */
    public RoutingTopic[] topics() {
        return topics;
    }

    /** @return the topic called {@code name}, or null */
    public RoutingTopic topic(String name) {
        return topicsByName.get(name);
    }

    /** @return every copy, in id order */
    public List<RoutingCopy> copies() {
        return Collections.unmodifiableList(copies);
    }

    /** @return the copy with this id, or null */
    public RoutingCopy copy(CopyId id) {
        RoutingTopic t = topicsByName.get(id.topic());
        if (t == null || id.queue() >= t.queueCount() || id.copy() >= t.copiesPerQueue()) {
            return null;
        }
        return t.queue(id.queue()).copy(id.copy());
    }

    /**
     * @return the copy with this id
     * @throws IllegalArgumentException when the topic, queue or copy number does not exist
     */
    RoutingCopy existingCopy(CopyId id) {
        RoutingCopy c = copy(id);
        if (c == null) {
            throw new IllegalArgumentException("no copy " + id + " in this cluster: the topic, queue or copy number does not exist");
        }
        return c;
    }

    /** @return distinct values of an awareness attribute among the nodes, united with its forced values */
    public int awarenessValueCount(String attribute) {
        return awarenessValueCounts.getOrDefault(attribute, 0);
    }

    /** @return how many nodes carry {@code tier} */
    public int nodesInTier(String tier) {
        return tierNodeCounts.getOrDefault(tier, 0);
    }

    /** @return whether any node has reported disk usage */
    public boolean anyDiskReport() {
        return anyDiskReport;
    }

    /** @return whether some topic sets {@code topic.allocation.rebalance.enable} explicitly */
    public boolean anyTopicRebalanceSetting() {
        return anyTopicRebalanceSetting;
    }

    /** @return copies configured across all topics (the weight function's average uses it) */
    public long totalConfiguredCopies() {
        return totalConfiguredCopies;
    }

    /**
     * Freezes the unassigned/initializing counts that {@code allow-rebalance} looks at, so that the relocations
     * balancing itself starts in this round do not count as "the cluster is not settled".
     */
    void freezeActivityForBalancing() {
        activityAtBalanceStart = new int[] {unassigned, unassignedMasters, initializing, initializingMasters};
    }

    /** @return unassigned copies when balancing started (now, before it starts) */
    public int unassignedBeforeBalancing() {
        return activityAtBalanceStart == null ? unassigned : activityAtBalanceStart[0];
    }

    /** @return unassigned masters when balancing started (now, before it starts) */
    public int unassignedMastersBeforeBalancing() {
        return activityAtBalanceStart == null ? unassignedMasters : activityAtBalanceStart[1];
    }

    /** @return initializing copies when balancing started (now, before it starts) */
    public int initializingBeforeBalancing() {
        return activityAtBalanceStart == null ? initializing : activityAtBalanceStart[2];
    }

    /** @return initializing masters when balancing started (now, before it starts) */
    public int initializingMastersBeforeBalancing() {
        return activityAtBalanceStart == null ? initializingMasters : activityAtBalanceStart[3];
    }

    /** @return copies relocating right now */
    public int relocatingCopies() {
        return relocating;
    }

    /** @return unassigned copies */
    public int unassignedCopies() {
        return unassigned;
    }

    /** @return unassigned masters */
    public int unassignedMasters() {
        return unassignedMasters;
    }

    /** @return copies initializing (new placements and relocation targets) */
    public int initializingCopies() {
        return initializing;
    }

    /** @return masters initializing */
    public int initializingMasters() {
        return initializingMasters;
    }

    // ------------------------------------------------------------------ changes

    /**
     * Assigns an unassigned copy to {@code to}: it starts initializing there (or is started at once in a simulation).
     * A master assigned onto a node holding one of its in-sync replicas is a promotion: that replica becomes
     * unassigned ({@link UnassignedInfo.Reason#REALLOCATED_REPLICA}) and must recover elsewhere.
     */
    void initialize(RoutingCopy copy, RoutingNode to) {
        if (copy.state != CopyState.UNASSIGNED) {
            throw new IllegalStateException("copy " + copy + " is not unassigned");
        }
        displaceForPromotion(copy, to);
        unassigned(copy, -1);
        copy.unassignedInfo = null;
        if (simulation && to.diskKnown) {
            // a simulated placement occupies the copy's expected size at once, as ES's ClusterInfo simulator does
            to.diskUsed = Math.min(to.diskTotal, to.diskUsed + copy.expectedSize());
        }
        place(copy, to, simulation ? CopyState.STARTED : CopyState.INITIALIZING);
    }

    /**
     * Failover (ES's {@code RoutingNodes.failShard} promoting an active replica): the unassigned master of a queue that
     * has a log takes the place of its started in-sync {@code replica}, STARTED at once on the replica's node; the
     * replica's slot becomes unassigned with the master's unassigned info (the node that left, so a returning node
     * gets its copy back). Not an allocation: no decider is asked and no recovery starts.
     */
    void promote(RoutingCopy master, RoutingCopy replica) {
        if (!master.isMaster() || master.state != CopyState.UNASSIGNED || replica.queue() != master.queue()
                || replica.state != CopyState.STARTED || !replica.isPromotable()) {
            throw new IllegalStateException("cannot promote " + replica + " over " + master);
        }
        RoutingNode node = replica.node;
        UnassignedInfo info = master.unassignedInfo;
        unassign(replica, info == null ? UnassignedInfo.of(UnassignedInfo.Reason.MASTER_FAILED) : info);
        unassigned(master, -1);
        master.unassignedInfo = null;
        master.size = Math.max(master.size, replica.size);
        place(master, node, CopyState.STARTED);
    }

    /** Starts moving a started copy to {@code to} (in a simulation it arrives at once). */
    void relocate(RoutingCopy copy, RoutingNode to) {
        if (copy.state != CopyState.STARTED) {
            throw new IllegalStateException("copy " + copy + " is not started");
        }
        displaceForPromotion(copy, to);
        if (simulation) {
            moveAtOnce(copy, to);
        } else {
            startRelocation(copy, to);
        }
    }

    /** Completes a recovery: an initializing copy starts, a relocating copy arrives at its target. */
    void start(RoutingCopy copy) {
        switch (copy.state) {
            case INITIALIZING -> {
                releaseRecovery(copy, copy.node);
                copy.state = CopyState.STARTED;
                initializing--;
                if (copy.isMaster()) {
                    initializingMasters--;
                }
                if (!copy.isMaster()) {
                    copy.inSync = true;
                }
            }
            case RELOCATING -> {
                RoutingNode to = copy.target;
                releaseRecovery(copy, to);
                copy.node.leavingBytes -= copy.expectedSize();
                relocating--;
                initializing--;
                copy.node = to;
                copy.target = null;
                copy.state = CopyState.STARTED;
            }
            default -> throw new IllegalStateException("copy " + copy + " has no recovery to complete");
        }
    }

    /** Takes a copy off its node(s). */
    void unassign(RoutingCopy copy, UnassignedInfo info) {
        switch (copy.state) {
            case UNASSIGNED -> {
                copy.unassignedInfo = info;
                return;
            }
            case INITIALIZING -> {
                releaseRecovery(copy, copy.node);
                copy.node.adjust(copy, -1);
                initializing--;
                if (copy.isMaster()) {
                    initializingMasters--;
                }
            }
            case STARTED -> copy.node.adjust(copy, -1);
            case RELOCATING -> {
                releaseRecovery(copy, copy.target);
                copy.target.adjust(copy, -1);
                copy.node.leavingBytes -= copy.expectedSize();
                relocating--;
                initializing--;
            }
        }
        copy.state = CopyState.UNASSIGNED;
        copy.node = null;
        copy.target = null;
        copy.unassignedInfo = info;
        if (!copy.isMaster()) {
            copy.inSync = false;
        }
        unassigned(copy, 1);
    }

    /** Applies a simulated finished move's disk effect, as ES's ClusterInfo simulator does. */
    private void moveAtOnce(RoutingCopy copy, RoutingNode to) {
        RoutingNode from = copy.node;
        from.adjust(copy, -1);
        long bytes = copy.expectedSize();
        if (from.diskKnown) {
            from.diskUsed = Math.max(0, from.diskUsed - bytes);
        }
        if (to.diskKnown) {
            to.diskUsed = Math.min(to.diskTotal, to.diskUsed + bytes);
        }
        copy.node = to;
        to.adjust(copy, 1);
    }

    private void displaceForPromotion(RoutingCopy copy, RoutingNode to) {
        if (!copy.isMaster()) {
            return;
        }
        RoutingCopy other = copy.queue().copyOn(to);
        if (other != null && other != copy) {
            unassign(other, new UnassignedInfo(UnassignedInfo.Reason.REALLOCATED_REPLICA, 0,
                    "master promoted onto node [" + to.name() + "]"));
        }
    }

    private void place(RoutingCopy copy, RoutingNode to, CopyState state) {
        copy.node = to;
        copy.state = state;
        to.adjust(copy, 1);
        if (state == CopyState.INITIALIZING) {
            initializing++;
            if (copy.isMaster()) {
                initializingMasters++;
            }
            holdRecovery(copy, to);
        }
    }

    private void startRelocation(RoutingCopy copy, RoutingNode to) {
        copy.node.adjust(copy, -1);
        copy.node.leavingBytes += copy.expectedSize();
        copy.target = to;
        copy.state = CopyState.RELOCATING;
        to.adjust(copy, 1);
        relocating++;
        initializing++;
        holdRecovery(copy, to);
    }

    /** Recovery accounting: a new master opens its log locally; replicas and relocations copy from the master's node. */
    private void holdRecovery(RoutingCopy copy, RoutingNode to) {
        to.incomingBytes += copy.expectedSize();
        if (copy.state == CopyState.INITIALIZING && copy.isMaster()) {
            to.initializingMasters++;
            copy.initialMasterRecovery = true;
            return;
        }
        to.incomingRecoveries++;
        RoutingCopy master = copy.queue().master();
        RoutingNode source = copy.isMaster() ? copy.node : (copy.queue().masterActive() ? master.node : null);
        if (source != null) {
            source.outgoingRecoveries++;
        }
        copy.recoverySource = source;
    }

    private void releaseRecovery(RoutingCopy copy, RoutingNode to) {
        to.incomingBytes -= copy.expectedSize();
        if (copy.initialMasterRecovery) {
            to.initializingMasters--;
            copy.initialMasterRecovery = false;
            return;
        }
        to.incomingRecoveries--;
        if (copy.recoverySource != null) {
            copy.recoverySource.outgoingRecoveries--;
            copy.recoverySource = null;
        }
    }

    private void unassigned(RoutingCopy copy, int delta) {
        unassigned += delta;
        if (copy.isMaster()) {
            unassignedMasters += delta;
        }
    }

    /** @return the copies as immutable values, in id order */
    public List<Copy> toCopies() {
        List<Copy> out = new ArrayList<>(copies.size());
        for (RoutingCopy c : copies) {
            out.add(c.toCopy());
        }
        return out;
    }

    /** @return a view of the current state: the same nodes, topics and settings with the copies as they are now */
    public ClusterView toView() {
        return view.withCopiesInPlace(toCopies());
    }
}
