package dev.ferry.allocation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale scenario of issue #3: 2,000 topics x 8 queues x 2 copies (master + 1 replica) over 100 nodes in 3 zones
 * with zone awareness, then 10 more nodes. Shared by the JMH benchmark and its quick command-line check.
 */
public final class ScaleScenario {
    public static final int TOPICS = 2000;
    public static final int QUEUES = 8;
    public static final int NODES = 100;
    public static final int ADDED_NODES = 10;

    private ScaleScenario() {}

    static Node node(int i) {
        String name = String.format("n%03d", i);
        return Node.of(name, "host-" + name, "10.0." + (i / 250) + "." + (i % 250 + 1), Map.of("zone", "z" + (i % 3)));
    }

    /** @return the empty cluster: every copy unassigned */
    public static ClusterView empty(int nodes) {
        return empty(nodes, "desired_balance");
    }

    /** @return the empty cluster with {@code ferry.allocation.type} set to {@code type} */
    public static ClusterView empty(int nodes, String type) {
        return empty(nodes, TOPICS, type);
    }

    /** @return an empty cluster of {@code nodes} nodes and {@code topics} topics of 8 queues x 2 copies */
    public static ClusterView empty(int nodes, int topics, String type) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AllocationSettings.AWARENESS_ATTRIBUTES, "zone");
        settings.put(AllocationSettings.TYPE, type);
        ClusterView.Builder b = ClusterView.builder(AllocationSettings.parse(settings));
        for (int i = 0; i < nodes; i++) {
            b.node(node(i));
        }
        for (int t = 0; t < topics; t++) {
            b.topic(Topic.of(String.format("topic-%04d", t), QUEUES, 1, Map.of()));
        }
        return b.build();
    }

    /** @return every copy started on its node in {@code desired} */
    public static ClusterView placed(ClusterView view, DesiredBalance desired) {
        ClusterView.Builder b = view.toBuilder();
        for (Copy c : view.copies()) {
            String node = desired.assignments().get(c.id());
            if (node != null) {
                b.copy(Copy.started(c.id(), node, 0));
            }
        }
        return b.build();
    }

    /** @return the view with {@code count} more nodes */
    public static ClusterView withMoreNodes(ClusterView view, int count) {
        ClusterView.Builder b = view.toBuilder();
        int start = view.nodes().size();
        for (int i = start; i < start + count; i++) {
            b.node(node(i));
        }
        return b.build();
    }

    /** @return copies per node, from a desired balance or a placement */
    public static Map<String, Integer> countsPerNode(ClusterView view, Map<CopyId, String> assignments) {
        Map<String, Integer> counts = new HashMap<>();
        view.nodes().keySet().forEach(n -> counts.put(n, 0));
        assignments.values().forEach(n -> counts.merge(n, 1, Integer::sum));
        return counts;
    }

    /**
     * The fewest moves that balance a placement to within one copy per node: every node ends with floor(avg) or
     * ceil(avg) copies, so the excess above ceil(avg) must leave and the shortfall below floor(avg) must arrive.
     */
    public static int minimumMoves(Map<String, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int n = counts.size();
        int floor = total / n;
        int ceil = (total + n - 1) / n;
        int excess = 0;
        int shortfall = 0;
        int atCeilOrAbove = 0;
        for (int c : counts.values()) {
            excess += Math.max(0, c - ceil);
            shortfall += Math.max(0, floor - c);
            if (c >= ceil) {
                atCeilOrAbove++;
            }
        }
        // only (total mod n) nodes may keep ceil copies when floor != ceil
        int slotsAtCeil = floor == ceil ? n : total - floor * n;
        int extra = Math.max(0, atCeilOrAbove - slotsAtCeil);
        return Math.max(excess + (floor == ceil ? 0 : extra), shortfall);
    }

    /**
     * A smaller cluster (200 topics over 10 nodes, then 1 more) settled with the default pacing (2 concurrent
     * rebalances, 2 recoveries per node): real rounds, as the live cluster would run them.
     */
    static void pacedSettle(Allocator allocator, String type) {
        ClusterView empty = empty(10, 200, type);
        ClusterView placed = placed(empty, allocator.desiredBalance(empty));
        ClusterView grown = withMoreNodes(placed, 1);
        Map<CopyId, String> before = new HashMap<>();
        placed.copies().forEach(c -> before.put(c.id(), c.node()));
        int minimum = minimumMoves(countsPerNode(grown, before));
        DesiredBalanceTracker tracker = new DesiredBalanceTracker(allocator);
        ClusterView view = grown;
        int moves = 0;
        int rounds = 0;
        Map<CopyId, Integer> perCopy = new HashMap<>();
        long t0 = System.nanoTime();
        while (rounds < 100_000) {
            RoundResult r = tracker.round(view);
            rounds++;
            moves += r.moves().size();
            r.moves().forEach(m -> perCopy.merge(m.copy(), 1, Integer::sum));
            ClusterView next = Recoveries.complete(r.next());
            if (r.moves().isEmpty() && r.placements().isEmpty() && next.copies().equals(view.copies())) {
                break;
            }
            view = next;
        }
        long t1 = System.nanoTime();
        Map<CopyId, String> now = new HashMap<>();
        view.copies().forEach(c -> now.put(c.id(), c.node()));
        Map<String, Integer> after = countsPerNode(view, now);
        System.out.printf("paced (3,200 copies, 10 -> 11 nodes, default throttles): %d rounds (%.0f ms), %d moves, minimum %d, ratio %.1f%%, "
                + "copies moved more than once %d, copies per node min %d max %d%n", rounds, (t1 - t0) / 1e6, moves, minimum,
                100.0 * moves / minimum, perCopy.values().stream().filter(n -> n > 1).count(),
                after.values().stream().mapToInt(Integer::intValue).min().orElse(0), after.values().stream().mapToInt(Integer::intValue).max().orElse(0));
    }

    /**
     * Quality check outside JMH: balance of the first placement, and the moves really made when the cluster settles
     * after {@link #ADDED_NODES} nodes join (rounds with unlimited concurrency, recoveries completed in between),
     * against the minimum. Prints one line per figure; exits non-zero if a target is missed.
     */
    public static void main(String[] args) {
        String type = args.length > 0 ? args[0] : "desired_balance";
        System.out.println("ferry.allocation.type = " + type);
        Allocator allocator = new Allocator();
        ClusterView empty = empty(NODES, type);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        DesiredBalance first = allocator.desiredBalance(empty);
        long t1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        Map<String, Integer> counts = countsPerNode(empty, first.assignments());
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        System.out.printf("first placement (cold JVM, one shot): %.0f ms wall, %.0f ms thread CPU, %d of %d copies placed, copies per node min %d max %d%n",
                (t1 - t0) / 1e6, (c1 - c0) / 1e6, first.assignments().size(), empty.copies().size(), min, max);
        ClusterView placed = placed(empty, first);
        Map<String, String> fast = new HashMap<>();
        fast.put(AllocationSettings.AWARENESS_ATTRIBUTES, "zone");
        fast.put(AllocationSettings.CLUSTER_CONCURRENT_REBALANCE, "-1");
        fast.put(AllocationSettings.NODE_CONCURRENT_RECOVERIES, "1000");
        fast.put(AllocationSettings.TYPE, type);
        ClusterView grown = withMoreNodes(placed, ADDED_NODES).withSettings(AllocationSettings.parse(fast));
        int minimum = minimumMoves(countsPerNode(grown, first.assignments()));
        DesiredBalanceTracker tracker = new DesiredBalanceTracker(allocator);
        ClusterView view = grown;
        int moves = 0;
        int rounds = 0;
        Map<CopyId, Integer> perCopy = new HashMap<>();
        long t2 = System.nanoTime();
        while (true) {
            RoundResult r = tracker.round(view);
            rounds++;
            moves += r.moves().size();
            r.moves().forEach(m -> perCopy.merge(m.copy(), 1, Integer::sum));
            view = Recoveries.complete(r.next());
            if (r.moves().isEmpty() && r.placements().isEmpty()) {
                break;
            }
        }
        long t3 = System.nanoTime();
        Map<CopyId, String> now = new HashMap<>();
        view.copies().forEach(c -> now.put(c.id(), c.node()));
        Map<String, Integer> after = countsPerNode(view, now);
        int amin = after.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int amax = after.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int twice = (int) perCopy.values().stream().filter(n -> n > 1).count();
        System.out.printf("after +%d nodes: settled in %d rounds (%.0f ms), %d moves, minimum %d, ratio %.1f%%, copies moved more than once %d,"
                + " copies per node min %d max %d%n", ADDED_NODES, rounds, (t3 - t2) / 1e6, moves, minimum, 100.0 * moves / minimum, twice, amin, amax);
        pacedSettle(allocator, type);
        boolean ok = max - min <= 1 && first.assignments().size() == empty.copies().size() && moves <= 1.1 * minimum && amax - amin <= 1;
        System.out.println(ok ? "targets met: balanced within 1 copy per node, moves <= 110% of minimum" : "TARGET MISSED");
        System.exit(ok ? 0 : 1);
    }
}
