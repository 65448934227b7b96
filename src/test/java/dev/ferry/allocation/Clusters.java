package dev.ferry.allocation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for test clusters: terse nodes, topics and views. */
final class Clusters {
    private Clusters() {}

    static Node node(String name, String... attrs) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < attrs.length; i += 2) {
            a.put(attrs[i], attrs[i + 1]);
        }
        return Node.of(name, name, "10.0.0." + (Math.abs(name.hashCode()) % 250 + 1), a);
    }

    static Node node(String name, long total, long used, String... attrs) {
        return node(name, attrs).withDisk(new DiskUsage(total, used));
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

    /** Runs rounds, completing recoveries in between, until a round changes nothing. */
    static ClusterView settle(Allocator allocator, ClusterView view) {
        for (int i = 0; i < 1000; i++) {
            RoundResult r = allocator.round(view);
            ClusterView next = Recoveries.complete(r.next());
            if (r.placements().isEmpty() && r.moves().isEmpty() && List.copyOf(next.copies()).equals(List.copyOf(view.copies()))) {
                return next;
            }
            view = next;
        }
        throw new AssertionError("did not settle in 1000 rounds");
    }
}
