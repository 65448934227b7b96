package dev.ferry.cluster;

import akka.cluster.Member;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.AttributeFilters;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.Move;
import dev.ferry.allocation.Node;
import dev.ferry.allocation.Topic;
import dev.ferry.allocation.UnassignedInfo;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicState;
import dev.ferry.node.FerrySettings;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the allocation core's {@link ClusterView} from what this node knows: members (name and attributes from
 * roles), disk usage (ClusterInfo), topics and where each copy's data lives (RouteTable), where sharding runs each
 * copy now, and the moves this node's strategy started. Shared by the three strategy instances (their coordinators
 * run on the same, oldest node) and by the explain endpoint. Thread-safe.
 */
public final class AllocationInputs {

    private final RouteTable routes;
    private final ClusterInfo info;
    private final Map<String, String> staticSettings;
    /** Where the queue and replica coordinators last saw each copy running: copy -> node name. */
    private final Map<String, Map<CopyId, String>> runningByType = new ConcurrentHashMap<>();
    /** Hand-offs started by rebalance and not yet finished: copy -> move. */
    final Map<CopyId, Move> moving = new ConcurrentHashMap<>();

    /**
     * A replica relocation whose target copies the log before the replica moves ({@link dev.ferry.replica.RelocationTargets}):
     * the move, the target member it asked ({@code target}: a restarted target never answers), and the answer so far.
     */
    record PreCopy(Move move, String target, boolean prepared, String failure) {}

    /** Relocations waiting for their target's copy: copy -> state (the source keeps serving meanwhile). */
    final Map<CopyId, PreCopy> preCopies = new ConcurrentHashMap<>();
    /** Replicas handed off to a target that holds their log: the next allocation of the copy goes there. */
    final Map<CopyId, String> preparedTargets = new ConcurrentHashMap<>();
    /** This node's relocation-targets actor, which passes the targets' answers to {@link #relocationReport}. */
    volatile akka.actor.typed.ActorRef<dev.ferry.replica.RelocationTargets.Report> relocationReports;
    private volatile Map<String, String> lastSettingsInput;
    private volatile AllocationSettings lastSettings;

    public AllocationInputs(RouteTable routes, ClusterInfo info, Map<String, String> staticSettings) {
        this.routes = routes;
        this.info = info;
        this.staticSettings = Map.copyOf(staticSettings);
    }

    /** ferry.allocation.* from the node's config, overridden by the dynamic cluster settings. */
    public AllocationSettings settings() {
        Map<String, String> merged = new HashMap<>(staticSettings);
        merged.putAll(info.dynamicSettings());
        if (!merged.equals(lastSettingsInput)) {
            lastSettings = AllocationSettings.parse(merged);
            lastSettingsInput = merged;
        }
        return lastSettings;
    }

    public Map<String, String> staticSettings() {
        return staticSettings;
    }

    /** Where relocation targets send their answers on this node (set by the node at start). */
    public void relocationReportsTo(akka.actor.typed.ActorRef<dev.ferry.replica.RelocationTargets.Report> ref) {
        relocationReports = ref;
    }

    /** A relocation target answered; an answer about another target than the one now expected is ignored. */
    public void relocationReport(dev.ferry.replica.RelocationTargets.Report r) {
        CopyId id = new CopyId(r.topic(), r.queue(), r.copy());
        preCopies.computeIfPresent(id, (k, p) -> !p.move().to().equals(r.node()) ? p
                : r instanceof dev.ferry.replica.RelocationTargets.NotPrepared n ? new PreCopy(p.move(), p.target(), false, n.reason())
                : new PreCopy(p.move(), p.target(), true, null));
    }

    /** Whether the routing state has replica {@code id} in sync on {@code node}. */
    boolean inSyncOn(CopyId id, String node) {
        return routes.get(id.topic()).filter(t -> id.queue() < t.queues().size()).map(t -> t.queues().get(id.queue()))
                .map(q -> q.inSync().contains(id.copy()) && node.equals(q.nodes().get(id.copy()))).orElse(false);
    }

    void running(String type, Map<CopyId, String> copies) {
        runningByType.put(type, Map.copyOf(copies));
        // A move is over once its copy runs on the target (or the copy vanished from the map entirely).
        moving.entrySet().removeIf(e -> {
            String now = copies.get(e.getKey());
            return type.equals(typeOf(e.getKey())) && (now == null ? false : now.equals(e.getValue().to()));
        });
    }

    /** The coordinator is about to start {@code id} on {@code node}: count it as running there from now on. */
    void allocated(String type, CopyId id, String node) {
        runningByType.compute(type, (t, old) -> {
            Map<CopyId, String> next = new HashMap<>(old == null ? Map.of() : old);
            next.put(id, node);
            return Map.copyOf(next);
        });
    }

    static String typeOf(CopyId id) {
        return id.copy() == 0 ? "queue" : "replica";
    }

    public Map<CopyId, String> running() {
        Map<CopyId, String> all = new HashMap<>();
        runningByType.values().forEach(all::putAll);
        return all;
    }

    /**
     * Whether the cluster-level node filters ({@code ferry.allocation.require/include/exclude.*}) accept {@code m}.
     * Brokers hold no copy, so only these apply to them: a drained node ({@code exclude._name}) gives its brokers up.
     */
    public boolean clusterFiltersAccept(Member m) {
        return clusterFiltersAccept(node(m));
    }

    boolean clusterFiltersAccept(Node node) {
        AttributeFilters f = settings().filters();
        if (f.isEmpty()) return true;
        for (var e : f.require().entrySet()) if (!AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())) return false;
        if (!f.include().isEmpty() && f.include().entrySet().stream().noneMatch(e -> AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())))
            return false;
        for (var e : f.exclude().entrySet()) if (AttributeFilters.nodeMatches(node, e.getKey(), e.getValue())) return false;
        return true;
    }

    private static Node node(Member m) {
        Map<String, String> attrs = attributes(m);
        String ip = m.address().host().isDefined() ? m.address().host().get() : "";
        return Node.of(nodeName(m), attrs.getOrDefault("host", ip), ip, attrs);
    }

    /** The view for {@code members} (Up members that host regions), with copies running where {@code running} says. */
    public ClusterView view(Collection<Member> members, Map<CopyId, String> running) {
        return view(members.stream().map(AllocationInputs::node).toList(), running);
    }

    /** The view for these nodes (the members' names and attributes), with copies running where {@code running} says. */
    ClusterView view(List<Node> nodes, Map<CopyId, String> running) {
        ClusterView.Builder b = ClusterView.builder(settings());
        Map<String, DiskUsage> disk = info.disk();
        Set<String> present = new java.util.HashSet<>();
        for (Node n : nodes) {
            String name = n.name();
            present.add(name);
            Node node = n;
            DiskUsage d = disk.get(name);
            if (d != null && d.totalBytes() > 0) node = node.withDisk(new dev.ferry.allocation.DiskUsage(d.totalBytes(),
                    Math.max(0, Math.min(d.totalBytes(), d.totalBytes() - d.freeBytes()))));
            b.node(node);
        }
        for (TopicState t : routes.all()) {
            if (t.deleted()) continue;
            b.topic(topic(t));
            for (QueueRoute q : t.queues()) {
                for (int copy = 0; copy <= t.settings().replicas(); copy++) {
                    CopyId id = new CopyId(t.name(), q.queueId(), copy);
                    String node = running.get(id);
                    Move move = moving.get(id);
                    boolean inSync = copy == q.master() || q.inSync().contains(copy);
                    if (node != null && present.contains(node)) {
                        if (move != null && move.from().equals(node) && present.contains(move.to()))
                            b.copy(Copy.relocating(id, node, move.to(), 0));
                        else if (copy > 0 && node.equals(running.get(new CopyId(t.name(), q.queueId(), q.master()))))
                            // A replica beside its master never recovers there: the master holds the node's writer lease
                            // for the log, so the Replica hands over or stays dormant (docs/replication.md). Before the
                            // Broker has recorded the promotion it still holds the in-sync log the master is promoted onto
                            // (in sync on this node); afterwards its slot names another node and it holds nothing of its
                            // own (not in sync). Either way STARTED, never INITIALIZING: a dormant copy counted as a
                            // recovery took incoming and outgoing slots on the master's node, throttling its own move off.
                            b.copy(new Copy(id, dev.ferry.allocation.CopyState.STARTED, node, null, 0,
                                    q.inSync().contains(copy) && node.equals(q.nodes().get(copy)), null));
                        else if (copy > 0 && !inSync)
                            // A replica that runs but is not in sync is still recovering (peer recovery or catch-up):
                            // the core counts it against the node's concurrent recoveries, as ES counts INITIALIZING copies.
                            b.copy(Copy.initializing(id, node, 0));
                        else
                            b.copy(new Copy(id, dev.ferry.allocation.CopyState.STARTED, node, null, 0, inSync, null));
                    } else {
                        String dataNode = q.nodes().getOrDefault(copy, "");
                        // The route's node for the copy is where its data is: the core sends a replica back there
                        // (a node that left and returned). Not when a rebalance moved the copy off that node on
                        // purpose: it would go straight back, and the next round would move it again.
                        boolean movedOff = move != null && move.from().equals(dataNode);
                        UnassignedInfo info = dataNode.isEmpty()
                                ? UnassignedInfo.of(copy == 0 ? UnassignedInfo.Reason.TOPIC_CREATED : UnassignedInfo.Reason.REPLICA_ADDED)
                                : movedOff ? UnassignedInfo.of(UnassignedInfo.Reason.NODE_LEFT) : UnassignedInfo.nodeLeft(dataNode);
                        b.copy(Copy.unassigned(id, info, 0));
                    }
                }
            }
        }
        return b.build();
    }

    /**
     * The core's topic. A topic stored by an older version with settings this one refuses (a tier name it no longer
     * takes) is placed without its topic-level allocation settings, logged, rather than failing every allocation.
     */
    private static Topic topic(TopicState t) {
        try {
            return Topic.of(t.name(), t.settings().queues(), t.settings().replicas(), topicSettings(t)).withCreatedAt(t.createdAt());
        } catch (dev.ferry.allocation.InvalidSettingException e) {
            org.slf4j.LoggerFactory.getLogger(AllocationInputs.class).warn("topic {}: stored settings not valid any more ({}); "
                    + "placing it without its topic allocation settings until they are fixed (PATCH /topics/{}/settings)", t.name(), e.getMessage(), t.name());
            return Topic.of(t.name(), t.settings().queues(), t.settings().replicas(), Map.of()).withCreatedAt(t.createdAt());
        }
    }

    /** The topic's allocation settings (topic.* keys) as the core reads them. */
    static Map<String, String> topicSettings(TopicState t) {
        return topicSettings(t.settings());
    }

    private static Map<String, String> topicSettings(dev.ferry.broker.TopicSettings settings) {
        Map<String, String> out = new TreeMap<>();
        settings.settings().forEach((k, v) -> { if (k.startsWith("topic.")) out.put(k, v); });
        return out;
    }

    /**
     * ES's {@code cluster.max_shards_per_node} on the request path: why giving {@code topic} these settings (creating
     * it, or raising its queues or replicas) would take the cluster past {@code ferry.max-queue-copies-per-node} times
     * its {@code members}; empty when it fits. Checked before the Broker is asked, as ES checks before creating an index.
     */
    public java.util.Optional<String> copyLimitRefusal(Collection<Member> members, String topic, dev.ferry.broker.TopicSettings after) {
        ClusterView view = view(members, Map.of());
        Topic now = view.topics().get(topic);
        long before = now == null ? 0 : (long) now.queues() * view.copiesPerQueue(now);
        Topic next = Topic.of(topic, after.queues(), after.replicas(), topicSettings(after));
        return dev.ferry.allocation.Allocator.checkCopyLimit(view, (long) next.queues() * view.copiesPerQueue(next) - before);
    }

    public static String nodeName(Member m) {
        for (String role : m.getRoles())
            if (role.startsWith(FerrySettings.NAME_ROLE_PREFIX)) return role.substring(FerrySettings.NAME_ROLE_PREFIX.length());
        return m.address().toString();
    }

    public static Map<String, String> attributes(Member m) {
        Map<String, String> out = new TreeMap<>();
        for (String role : m.getRoles()) {
            if (!role.startsWith(FerrySettings.ATTR_ROLE_PREFIX)) continue;
            String kv = role.substring(FerrySettings.ATTR_ROLE_PREFIX.length());
            int eq = kv.indexOf('=');
            if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    public boolean knowsTopic(String topic) {
        return routes.get(topic).isPresent();
    }

    /** A replica slot its topic no longer has: the topic was deleted, or its queues or replicas are fewer now. */
    public boolean surplusReplica(CopyId id) {
        return id.copy() > 0 && routes.latest(id.topic())
                .map(t -> t.deleted() || id.queue() >= t.queues().size() || id.copy() > t.settings().replicas())
                .orElse(false);
    }

    /** The node holding {@code q}'s master data, if the routing state names one. */
    public String masterDataNode(CopyId master) {
        return routes.get(master.topic()).filter(t -> master.queue() < t.queues().size())
                .map(t -> t.queues().get(master.queue()).masterNode()).orElse("");
    }
    /**
     * Replicas that run beside their master on the node the Broker's route names for the master's data: the promotion
     * onto their log is recorded, they hand it over and stay dormant there, holding nothing of their own. The replica
     * rebalance moves them off first (docs/replication.md). A replica beside a master whose promotion is not recorded yet
     * is not among them ({@link #awaitsPromotion}), nor a surplus slot, nor one whose hand-off is already under way
     * ({@code inProgress}: entity ids).
     */
    Set<CopyId> displacedReplicas(Set<String> inProgress) {
        Map<CopyId, String> running = running();
        Set<CopyId> out = new java.util.TreeSet<>(java.util.Comparator.comparing(CopyId::entityId));
        running.forEach((id, node) -> {
            if (id.copy() == 0 || inProgress.contains(id.entityId()) || surplusReplica(id)) return;
            CopyId master = new CopyId(id.topic(), id.queue(), 0);
            if (node.equals(running.get(master)) && node.equals(masterDataNode(master))) out.add(id);
        });
        return out;
    }

    /**
     * Whether replica {@code id} runs beside its master while the Broker's route still names another node for the
     * master's data: the master was placed there to be promoted onto this replica's in-sync log and the promotion is not
     * recorded yet (after a crash the master's shard can wait on remembered entities for 10 s and more). It must not move
     * now: it is the in-sync copy the promotion needs.
     */
    boolean awaitsPromotion(CopyId id) {
        if (id.copy() == 0) return false;
        Map<CopyId, String> running = running();
        String node = running.get(id);
        CopyId master = new CopyId(id.topic(), id.queue(), 0);
        return node != null && node.equals(running.get(master)) && !node.equals(masterDataNode(master));
    }

    /**
     * The node of an in-sync replica of {@code master}'s queue among {@code upNodes}, from the Broker's routing state
     * (the lowest copy number first), or "" if none. Used when the master's own node is gone: a coordinator that moved
     * with the crashed node does not yet know where the replicas run, but the route says which copies are in sync.
     */
    public String inSyncReplicaNode(CopyId master, Set<String> upNodes) {
        return routes.get(master.topic()).filter(t -> master.queue() < t.queues().size())
                .map(t -> t.queues().get(master.queue()))
                .flatMap(q -> q.inSync().stream().sorted()
                        .filter(copy -> copy != q.master())
                        .map(copy -> q.nodes().getOrDefault(copy, ""))
                        .filter(upNodes::contains)
                        .findFirst())
                .orElse("");
    }

    /**
     * Whether the Broker's routing state names an in-sync replica slot of {@code master}'s queue on {@code node}: the
     * only node a master may be handed over to (the Broker refuses any other promotion).
     */
    public boolean holdsInSyncReplica(CopyId master, String node) {
        return routes.get(master.topic()).filter(t -> master.queue() < t.queues().size())
                .map(t -> t.queues().get(master.queue()))
                .map(q -> q.inSync().stream().anyMatch(c -> c != q.master() && node.equals(q.nodes().get(c))))
                .orElse(false);
    }

    /**
     * Whether a master running on {@code node} is stranded there: its log lives on another node that is up, and
     * {@code node} holds no in-sync replica slot, so the Broker refuses to promote it (a planned hand-over whose target
     * left the in-sync set meanwhile). It belongs back on its data node.
     */
    public boolean strandedMaster(CopyId master, String node, Set<String> upNodes) {
        String dataNode = masterDataNode(master);
        return !dataNode.isEmpty() && !dataNode.equals(node) && upNodes.contains(dataNode) && !holdsInSyncReplica(master, node);
    }
}
