package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class WeightFunctionTest {
    private static final long TB = 1L << 40;

    private static String placeNew(AllocationSettings settings, Topic heavy, long heavySize) {
        ClusterView view = ClusterView.builder(settings).node(node("n1")).node(node("n2"))
                .topic(heavy).topic(topic("light", 2, 0)).topic(topic("fresh", 1, 0))
                .copy(Copy.started(id(heavy.name(), 0, 0), "n1", heavySize))
                .copy(Copy.started(id("light", 0, 0), "n2", 1)).copy(Copy.started(id("light", 1, 0), "n2", 1)).build();
        return new Allocator().allocate(view, id("fresh", 0, 0)).node().orElseThrow();
    }

    @Test
    void aNodeCarryingHeavyWriteLoadWeighsMoreThanOneCarryingMoreCopies() {
        Topic busy = topic("busy", 1, 0).withWriteLoad(5.0);
        assertEquals("n2", placeNew(AllocationSettings.DEFAULTS, busy, 1));
        assertEquals("n1", placeNew(settings("ferry.allocation.balance.write-load", "0"), busy, 1));
    }

    @Test
    void aNodeHoldingManyBytesWeighsMoreThanOneHoldingMoreCopies() {
        Topic big = topic("big", 1, 0);
        assertEquals("n2", placeNew(AllocationSettings.DEFAULTS, big, 2 * TB));
        assertEquals("n1", placeNew(settings("ferry.allocation.balance.disk-usage", "0"), big, 2 * TB));
    }

    @Test
    void thresholdIsTheWeightOfMovingOneCopy() {
        Routing r = new Routing(cluster().node(node("n1")).topic(topic("t", 1, 0)).build(), false);
        WeightFunction wf = new WeightFunction(AllocationSettings.DEFAULTS);
        assertEquals((0.45 + 0.55) / (0.45 + 0.55 + 10.0 + 2e-11), wf.threshold(r.topic("t")), 1e-12);
        WeightFunction doubled = new WeightFunction(settings("ferry.allocation.balance.threshold", "2.0"));
        assertEquals(2 * wf.threshold(r.topic("t")), doubled.threshold(r.topic("t")), 1e-12);
    }

    @Test
    void tierBuiltInFilterMatchesTheNodesTier() {
        ClusterView view = settle(cluster("ferry.allocation.exclude._tier", "warm").node(node("w", "tier", "warm")).node(node("h"))
                .topic(topic("t", 2, 0, "topic.allocation.tier-preference", "warm,hot")).build());
        // warm nodes are excluded by the filter, but the tier preference still requires warm while a warm node exists
        assertEquals(2, unassigned(view).size());
        assertEquals(Optional.empty(), new Allocator().allocate(view, id("t", 0, 0)).node());
    }
}
