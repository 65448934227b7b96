package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.RoundResult;

/** cluster_rebalance (allow-rebalance), concurrent_rebalance and rebalance_only_when_active. */
class RebalanceDecidersTest {

    private static ClusterView crowded(String... settings) {
        ClusterView.Builder b = cluster(settings).node(node("n1")).node(node("n2")).node(node("n3")).node(node("n4"))
                .topic(topic("t", 8, 1));
        for (int q = 0; q < 8; q++) {
            b.copy(Copy.started(id("t", q, 0), "n1", 100)).copy(Copy.started(id("t", q, 1), "n2", 100));
        }
        return b.build();
    }

    @Test
    void atMostTwoBalancingMovesRunAtOnce() {
        RoundResult r = new Allocator().round(crowded());
        assertEquals(2, r.moves().size());
        RoundResult next = new Allocator().round(r.next());
        assertEquals(0, next.moves().size(), "the first two are still relocating");
    }

    @Test
    void unlimitedConcurrentRebalanceMovesEverythingAtOnce() {
        RoundResult r = new Allocator().round(crowded("ferry.allocation.cluster-concurrent-rebalance", "-1",
                "ferry.allocation.node-concurrent-recoveries", "10"));
        assertEquals(5, r.moves().size(), r.moves().toString());
        assertEquals(0, r.undesired(), "every copy is now on, or moving to, its desired node");
    }

    @Test
    void noBalancingWhileACopyIsUnassignedWithTheDefaultAllowRebalance() {
        ClusterView view = crowded().toBuilder().topic(topic("pending", 1, 0, "topic.allocation.include._name", "nowhere")).build();
        RoundResult r = new Allocator().round(view);
        assertEquals(0, r.moves().size());
        Allocator allocator = new Allocator();
        assertTrue(allocator.explain(view, id("t", 0, 1)).canRebalanceClusterDecisions().stream()
                .anyMatch(d -> d.explanation().equals("the cluster has unassigned queue copies [1] and cluster setting "
                        + "[ferry.allocation.allow-rebalance] is set to [indices_all_active]")));
    }

    @Test
    void allowRebalanceAlwaysBalancesDespiteUnassignedCopies() {
        ClusterView view = crowded("ferry.allocation.allow-rebalance", "always").toBuilder()
                .topic(topic("pending", 1, 0, "topic.allocation.include._name", "nowhere")).build();
        assertEquals(2, new Allocator().round(view).moves().size());
    }

    @Test
    void aQueueIsNotRebalancedWhileOneOfItsCopiesRecovers() {
        ClusterView.Builder b = cluster("ferry.allocation.allow-rebalance", "always", "ferry.allocation.cluster-concurrent-rebalance", "-1")
                .node(node("n1")).node(node("n2")).node(node("n3")).topic(topic("t", 1, 2));
        b.copy(Copy.started(id("t", 0, 0), "n1", 100)).copy(Copy.started(id("t", 0, 1), "n2", 100)).copy(Copy.initializing(id("t", 0, 2), "n3", 100));
        ClusterView view = b.build();
        Allocator allocator = new Allocator();
        assertTrue(allocator.explain(view, id("t", 0, 1)).canRebalanceClusterDecisions().stream()
                .anyMatch(d -> d.decider().equals("rebalance_only_when_active") && d.type() == dev.ferry.allocation.Decision.Type.NO));
    }
}
