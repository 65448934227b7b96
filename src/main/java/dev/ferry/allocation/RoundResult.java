package dev.ferry.allocation;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one allocation round decided.
 *
 * @param next          the cluster after the round: placed copies INITIALIZING, moved copies RELOCATING, read-only blocks updated
 * @param placements    unassigned copies placed this round (in the order they were placed)
 * @param moves         relocations started this round
 * @param unassigned    copies still unassigned, with why
 * @param readOnlyTopics topics that are read-only (flood stage) after this round
 * @param desired       the desired balance the round steered towards; empty with {@code ferry.allocation.type=balanced}
 * @param undesired     started copies not on their desired node after the round (0 without a desired balance)
 */
public record RoundResult(ClusterView next, List<Placement> placements, List<Move> moves, List<UnassignedCopy> unassigned,
                          Set<String> readOnlyTopics, Optional<DesiredBalance> desired, int undesired) {
    public RoundResult {
        placements = List.copyOf(placements);
        moves = List.copyOf(moves);
        unassigned = List.copyOf(unassigned);
        readOnlyTopics = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(readOnlyTopics));
    }
}
