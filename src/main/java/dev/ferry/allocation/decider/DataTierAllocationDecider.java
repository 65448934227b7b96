package dev.ferry.allocation.decider;

import java.util.List;

import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingNode;
import dev.ferry.allocation.RoutingTopic;
import dev.ferry.allocation.TopicSettings;

/**
 * {@code topic.allocation.tier-preference} (ES's DataTierAllocationDecider over {@code _tier_preference}): the first
 * listed tier that has at least one node is required; nodes carry their tier in the {@code tier} attribute
 * ({@code hot} when absent). Checked on placement and on remaining, so a node of a more preferred tier joining
 * migrates copies to it.
 */
public final class DataTierAllocationDecider implements TopicScopedDecider {
    public static final String NAME = "data_tier";
    private static final Decision YES = Decision.yes(NAME, "node is in the topic's preferred tier");
    private static final Decision NO_TIER = Decision.no(NAME, "node is not in the topic's preferred tier, topic setting ["
            + TopicSettings.TIER_PREFERENCE + "]");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision decide(RoutingTopic topic, RoutingNode node, Routing routing) {
        List<String> preference = topic.settings().tierPreference();
        String required = null;
        for (String tier : preference) {
            if (routing.nodesInTier(tier) > 0) {
                required = tier;
                break;
            }
        }
        if (required == null) {
            return Decision.no(NAME, "topic has a preference for tiers " + preference + " (topic setting [" + TopicSettings.TIER_PREFERENCE
                    + "]), but no nodes for any of those tiers are available in the cluster");
        }
        if (!required.equals(node.node().tier())) {
            return routing.debug() ? Decision.no(NAME, "topic has a preference for tiers " + preference + " (topic setting ["
                    + TopicSettings.TIER_PREFERENCE + "]) and node does not meet the required [" + required + "] tier, node tier is ["
                    + node.node().tier() + "]") : NO_TIER;
        }
        return routing.debug() ? Decision.yes(NAME, "topic has a preference for tiers " + preference + " and node has tier [" + required + "]")
                : YES;
    }
}
