package dev.ferry.allocation;

import java.util.List;
import java.util.Map;

/**
 * One node's answer for one copy in an {@link AllocationExplanation}.
 *
 * @param node          node name
 * @param host          node host
 * @param attributes    node attributes
 * @param nodeDecision  {@code yes}, {@code no}, {@code throttled} or {@code worse_balance} (allowed, but no better than staying)
 * @param weight        the node's balance weight for the copy's topic
 * @param weightRanking 1 for the lightest (best) node
 * @param deciders      every decider's answer, YES included
 */
public record NodeDecision(String node, String host, Map<String, String> attributes, String nodeDecision, double weight, int weightRanking,
                           List<Decision> deciders) {
    public NodeDecision {
        attributes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(attributes));
        deciders = List.copyOf(deciders);
    }
}
