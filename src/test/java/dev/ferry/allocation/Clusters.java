package dev.ferry.allocation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builders and queries for test clusters, shared by the allocation and decider tests: terse nodes, topics and
 * views, settling, counting, and the deciders' answers in debug mode (full explanations).
 */
public final class Clusters {
    public static final long GB = 1L << 30;

    private Clusters() {}

    /**
     * A node on its own host {@code host-NAME}; its IP ends in the name's digits ({@code n2} is 10.0.0.2), or in a
     * number derived from the name when it has none.
     *
     * @param attrs attribute names and values, alternating
     */
    public static Node node(String name, String... attrs) {
        String digits = name.replaceAll("\\D", "");
        String ip = "10.0.0." + (digits.isEmpty() ? Math.abs(name.hashCode()) % 250 + 1 : digits);
        return Node.of(name, "host-" + name, ip, map(attrs));
    }

    public static Node disk(Node node, long totalBytes, long usedBytes) {
        return node.withDisk(new DiskUsage(totalBytes, usedBytes));
    }

    public static Topic topic(String name, int queues, int replicas, String... settings) {
        return Topic.of(name, queues, replicas, map(settings));
    }

    /** @param kv keys and values, alternating */
    public static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    public static AllocationSettings settings(String... kv) {
        return AllocationSettings.parse(map(kv));
    }

    public static ClusterView.Builder cluster(String... settings) {
        return ClusterView.builder(settings(settings));
    }

    public static ClusterView withSettings(ClusterView view, String... kv) {
        return view.withSettings(settings(kv));
    }

    public static CopyId id(String topic, int queue, int copy) {
        return new CopyId(topic, queue, copy);
    }

    /** Runs rounds, completing recoveries in between, until a round changes nothing. */
    public static ClusterView settle(Allocator allocator, ClusterView view) {
        for (int i = 0; i < 10_000; i++) {
            RoundResult r = allocator.round(view);
            ClusterView next = Recoveries.complete(r.next());
            if (r.placements().isEmpty() && r.moves().isEmpty() && List.copyOf(next.copies()).equals(List.copyOf(view.copies()))) {
                return next;
            }
            view = next;
        }
        throw new AssertionError("did not settle in 10000 rounds");
    }

    public static ClusterView settle(ClusterView view) {
        return settle(new Allocator(), view);
    }

    /** @return node name of a copy, null when unassigned */
    public static String nodeOf(ClusterView view, CopyId id) {
        return view.copy(id).orElseThrow().node();
    }

    public static List<Copy> unassigned(ClusterView view) {
        return view.copies().stream().filter(c -> c.state() == CopyState.UNASSIGNED).collect(Collectors.toList());
    }

    /** @return the entity ids of the copies a node owns, sorted */
    public static List<String> entitiesOn(ClusterView view, String node) {
        return view.copies().stream().filter(c -> node.equals(c.owningNode())).map(c -> c.id().entityId()).sorted().collect(Collectors.toList());
    }

    public static int countOn(ClusterView view, String node) {
        return entitiesOn(view, node).size();
    }

    /** @return copies owned per node, every node listed */
    public static Map<String, Integer> counts(ClusterView view) {
        Map<String, Integer> m = new HashMap<>();
        view.nodes().keySet().forEach(n -> m.put(n, 0));
        for (Copy c : view.copies()) {
            if (c.owningNode() != null) {
                m.merge(c.owningNode(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The combined canAllocate answer with full explanations. */
    public static Decision canAllocate(ClusterView view, CopyId copy, String node) {
        Routing r = debugRouting(view);
        return AllocationDeciders.standard().canAllocate(r.copy(copy), r.node(node), r);
    }

    /** One decider's canAllocate answer, with its full explanation. */
    public static Decision decision(ClusterView view, CopyId copy, String node, String decider) {
        Routing r = debugRouting(view);
        return AllocationDeciders.standard().canAllocateAll(r.copy(copy), r.node(node), r).stream()
                .filter(d -> d.decider().equals(decider)).findFirst().orElseThrow();
    }

    /** The combined canRemain answer for a copy on its node, with full explanations. */
    public static Decision canRemain(ClusterView view, CopyId copy) {
        Routing r = debugRouting(view);
        RoutingCopy c = r.copy(copy);
        return AllocationDeciders.standard().canRemain(c, c.node(), r);
    }

    private static Routing debugRouting(ClusterView view) {
        Routing r = new Routing(view, false);
        r.debug(true);
        return r;
    }
}
