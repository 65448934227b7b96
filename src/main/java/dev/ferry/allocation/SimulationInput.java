package dev.ferry.allocation;

import java.util.List;
import java.util.Map;

/**
 * A simulation: the starting cluster and the steps to run on it.
 *
 * @param settings cluster settings as strings ({@code ferry.allocation.*})
 * @param nodes    the nodes
 * @param topics   the topics
 * @param copies   the current placement; copies of declared topics not listed start unassigned
 * @param steps    what happens, in order
 */
public record SimulationInput(Map<String, String> settings, List<Node> nodes, List<Topic> topics, List<Copy> copies,
                              List<SimulationStep> steps) {
    public SimulationInput {
        nodes = List.copyOf(nodes);
        topics = List.copyOf(topics);
        copies = List.copyOf(copies);
        steps = List.copyOf(steps);
    }
}
