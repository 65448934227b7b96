package dev.ferry.allocation;

import java.util.List;
import java.util.Set;

/**
 * The cluster after one simulation step.
 *
 * @param op             the step's name ({@code round}, {@code addNode}, ...)
 * @param copies         every assigned copy, in id order
 * @param unassigned     every unassigned copy with every node's non-YES decisions
 * @param readOnlyTopics topics blocked by the flood stage
 * @param explain        the explanation, for an {@code explain} step (else null)
 * @param moves          relocations started in this step
 * @param rounds         allocation rounds run in this step
 * @param error          why the step was refused (the cluster is then unchanged), else null
 */
public record StepResult(String op, List<Copy> copies, List<UnassignedReport> unassigned, Set<String> readOnlyTopics,
                         AllocationExplanation explain, int moves, int rounds, String error) {

    /**
     * An unassigned copy in a step result.
     *
     * @param copy        the copy
     * @param reason      why it became unassigned
     * @param status      the outcome of the last round's attempt ({@code deciders_no}, {@code deciders_throttled}, {@code no_attempt}),
     *                    null when no round ran since it became unassigned
     * @param explanation one sentence
     * @param decisions   every node's non-YES decider answers
     */
    public record UnassignedReport(CopyId copy, UnassignedInfo.Reason reason, AllocationStatus status, String explanation,
                                   List<NodeVerdict> decisions) {
    }

    /**
     * One decider's non-YES answer on one node.
     *
     * @param node        the node
     * @param decider     the decider label
     * @param decision    NO or THROTTLE
     * @param explanation why
     */
    public record NodeVerdict(String node, String decider, Decision.Type decision, String explanation) {
    }
}
