package dev.ferry.allocation.decider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.ferry.allocation.AllocationDeciders;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.DiskUsage;
import dev.ferry.allocation.Node;
import dev.ferry.allocation.Recoveries;
import dev.ferry.allocation.RoundResult;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.Topic;

/** Test helpers for decider scenarios: clusters in a line, settling, and asking one decider in debug mode. */
final class Scenarios {
    static final long GB = 1L << 30;

    private Scenarios() {}

    static Node node(String name, String... attrs) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < attrs.length; i += 2) {
            a.put(attrs[i], attrs[i + 1]);
        }
        return Node.of(name, "host-" + name, "10.0.0." + name.replaceAll("\\D", ""), a);
    }

    static Node disk(Node n, long totalGb, long usedGb) {
        return n.withDisk(new DiskUsage(totalGb * GB, usedGb * GB));
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

    static ClusterView.Builder cluster(String... settings) {
        return ClusterView.builder(AllocationSettings.parse(map(settings)));
    }

    static CopyId id(String topic, int queue, int copy) {
        return new CopyId(topic, queue, copy);
    }

    static ClusterView settle(ClusterView view) {
        Allocator allocator = new Allocator();
        for (int i = 0; i < 10_000; i++) {
            RoundResult r = allocator.round(view);
            ClusterView next = Recoveries.complete(r.next());
            if (r.placements().isEmpty() && r.moves().isEmpty() && List.copyOf(next.copies()).equals(List.copyOf(view.copies()))) {
                return next;
            }
            view = next;
        }
        throw new AssertionError("did not settle");
    }

    static ClusterView withSettings(ClusterView view, String... kv) {
        return view.withSettings(AllocationSettings.parse(map(kv)));
    }

    static List<Copy> unassigned(ClusterView view) {
        return view.copies().stream().filter(c -> c.state() == CopyState.UNASSIGNED).collect(Collectors.toList());
    }

    static List<String> entitiesOn(ClusterView view, String node) {
        return view.copies().stream().filter(c -> node.equals(c.owningNode())).map(c -> c.id().entityId()).sorted().collect(Collectors.toList());
    }

    static int countOn(ClusterView view, String node) {
        return entitiesOn(view, node).size();
    }

    static String nodeOf(ClusterView view, CopyId id) {
        return view.copy(id).orElseThrow().node();
    }

    /** The combined canAllocate answer with full explanations. */
    static Decision canAllocate(ClusterView view, CopyId copy, String node) {
        Routing r = new Routing(view, false);
        r.debug(true);
        return AllocationDeciders.standard().canAllocate(r.copy(copy), r.node(node), r);
    }

    /** One decider's canAllocate answer, with its full explanation. */
    static Decision decision(ClusterView view, CopyId copy, String node, String decider) {
        Routing r = new Routing(view, false);
        r.debug(true);
        return AllocationDeciders.standard().canAllocateAll(r.copy(copy), r.node(node), r).stream()
                .filter(d -> d.decider().equals(decider)).findFirst().orElseThrow();
    }

    /** The combined canRemain answer for a copy on its node, with full explanations. */
    static Decision canRemain(ClusterView view, CopyId copy) {
        Routing r = new Routing(view, false);
        r.debug(true);
        RoutingCopy c = r.copy(copy);
        return AllocationDeciders.standard().canRemain(c, c.node(), r);
    }
}
