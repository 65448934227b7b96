package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Decision;

class DataTierAllocationDeciderTest {

    @Test
    void topicsGoToHotNodesByDefaultAndNodesWithoutATierAreHot() {
        ClusterView view = settle(cluster().node(node("n1")).node(node("n2", "tier", "warm")).topic(topic("t", 2, 0)).build());
        assertEquals(2, countOn(view, "n1"));
        Decision d = decision(view, id("t", 0, 0), "n2", "data_tier");
        assertEquals("topic has a preference for tiers [hot] (topic setting [topic.allocation.tier-preference]) and node does not meet the "
                + "required [hot] tier, node tier is [warm]", d.explanation());
    }

    @Test
    void theFirstPreferredTierWithNodesWins() {
        ClusterView view = settle(cluster().node(node("n1")).node(node("n2", "tier", "cold"))
                .topic(topic("t", 2, 0, "topic.allocation.tier-preference", "warm,cold")).build());
        assertEquals(2, countOn(view, "n2"));
    }

    @Test
    void noNodeInAnyPreferredTierMeansNoEverywhere() {
        ClusterView view = settle(cluster().node(node("n1")).topic(topic("t", 1, 0, "topic.allocation.tier-preference", "warm,cold")).build());
        assertEquals(1, unassigned(view).size());
        assertEquals("topic has a preference for tiers [warm, cold] (topic setting [topic.allocation.tier-preference]), but no nodes for any "
                + "of those tiers are available in the cluster", canAllocate(view, id("t", 0, 0), "n1").explanation());
    }

    @Test
    void aNodeOfAMorePreferredTierJoiningMigratesReplicas() {
        ClusterView placed = settle(cluster().node(node("c1", "tier", "cold")).node(node("c2", "tier", "cold"))
                .topic(topic("t", 2, 1, "topic.allocation.tier-preference", "warm,cold")).build());
        ClusterView joined = placed.toBuilder().node(node("w1", "tier", "warm")).node(node("w2", "tier", "warm")).build();
        ClusterView after = settle(joined);
        assertEquals(4, countOn(after, "w1") + countOn(after, "w2"));
    }
}
