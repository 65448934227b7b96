package dev.ferry.allocation;

import java.util.List;

/**
 * Why one copy is where it is, or why it is unassigned: ES's allocation explain, for the HTTP explain route, the CLI
 * and the simulator. Fields that do not apply to the copy's state are null.
 *
 * @param copy                         the copy
 * @param role                         master or replica
 * @param currentState                 its state
 * @param currentNode                  its node (null when unassigned)
 * @param relocatingTo                 its relocation target (null unless relocating)
 * @param unassignedInfo               why it is unassigned (null when assigned)
 * @param canAllocate                  unassigned only: {@code yes}, {@code no}, {@code throttled}
 * @param allocateExplanation          unassigned only: one-sentence summary
 * @param canRemainOnCurrentNode       assigned only: the combined canRemain answer ({@code yes} / {@code no})
 * @param canRemainDecisions           assigned only: every decider's canRemain answer
 * @param canMoveToOtherNode           assigned only, when it cannot remain: {@code yes}, {@code no}, {@code throttled}
 * @param moveExplanation              assigned only: one-sentence summary of the move question
 * @param canRebalanceCluster          assigned only: may balancing run at all ({@code yes}, {@code no}, {@code throttled})
 * @param canRebalanceClusterDecisions assigned only: every decider's rebalance answer
 * @param canRebalanceToOtherNode      assigned only: {@code yes}, {@code no}, {@code throttled}, {@code worse_balance}
 * @param rebalanceExplanation         assigned only: one-sentence summary of the rebalance question
 * @param currentWeightRanking         assigned only: the weight ranking of its current node among all nodes
 * @param desiredNode                  where the desired balance puts it (null when it cannot be placed or balancing is greedy)
 * @param nodeDecisions                every other node's answer, lightest first
 */
public record AllocationExplanation(CopyId copy, Role role, CopyState currentState, String currentNode, String relocatingTo,
                                    UnassignedInfo unassignedInfo, String canAllocate, String allocateExplanation,
                                    String canRemainOnCurrentNode, List<Decision> canRemainDecisions, String canMoveToOtherNode,
                                    String moveExplanation, String canRebalanceCluster, List<Decision> canRebalanceClusterDecisions,
                                    String canRebalanceToOtherNode, String rebalanceExplanation, Integer currentWeightRanking,
                                    String desiredNode, List<NodeDecision> nodeDecisions) {
}
