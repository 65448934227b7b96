package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builders and queries for test clusters: terse nodes, topics, views, settling and counting. */
final class Clusters {
    static final long GB = 1L << 30;

    private Clusters() {}

    static Node node(String name, String... attrs) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < attrs.length; i += 2) {
            a.put(attrs[i], attrs[i + 1]);
        }
        return Node.of(name, name, "10.0.0." + (Math.abs(name.hashCode()) % 250 + 1), a);
    }

    static Node onHost(String name, String host) {
        return Node.of(name, host, "10.0.1." + (Math.abs(name.hashCode()) % 250 + 1), Map.of());
    }

    static Node disk(Node node, long total, long used) {
        return node.withDisk(new DiskUsage(total, used));
    }

    static Topic topic(String name, int queues, int replicas, String... settings) {
        return Topic.of(name, queues, replicas, map(settings));
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static AllocationSettings settings(String... kv) {
        return AllocationSettings.parse(map(kv));
    }

    static ClusterView.Builder cluster(String... settings) {
        return ClusterView.builder(settings(settings));
    }

    static CopyId id(String topic, int queue, int copy) {
        return new CopyId(topic, queue, copy);
    }

    /** Runs rounds, completing recoveries in between, until a round changes nothing. */
    static ClusterView settle(Allocator allocator, ClusterView view) {
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

    static ClusterView settle(ClusterView view) {
        return settle(new Allocator(), view);
    }

    /** @return node name of a copy, null when unassigned */
    static String nodeOf(ClusterView view, CopyId id) {
        return view.copy(id).orElseThrow().node();
    }

    static List<Copy> unassigned(ClusterView view) {
        return view.copies().stream().filter(c -> c.state() == CopyState.UNASSIGNED).collect(Collectors.toList());
    }

    static List<Copy> on(ClusterView view, String node) {
        return view.copies().stream().filter(c -> node.equals(c.owningNode())).collect(Collectors.toList());
    }

    static Map<String, Integer> counts(ClusterView view) {
        Map<String, Integer> m = new HashMap<>();
        view.nodes().keySet().forEach(n -> m.put(n, 0));
        for (Copy c : view.copies()) {
            if (c.owningNode() != null) {
                m.merge(c.owningNode(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Every node's answer for one copy, with full explanations. */
    static Decision decide(ClusterView view, CopyId copy, String node) {
        Routing r = new Routing(view, false);
        r.debug(true);
        return AllocationDeciders.standard().canAllocate(r.copy(copy), r.node(node), r);
    }

    static Decision remain(ClusterView view, CopyId copy) {
        Routing r = new Routing(view, false);
        r.debug(true);
        RoutingCopy c = r.copy(copy);
        return AllocationDeciders.standard().canRemain(c, c.node(), r);
    }

    static List<String> names(List<Copy> copies) {
        List<String> out = new ArrayList<>();
        copies.forEach(c -> out.add(c.id().entityId()));
        return out;
    }
}
