package dev.ferry.allocation;

import java.util.Map;
import java.util.Optional;

/**
 * Where every copy should end up: the result of simulating allocation on a copy of the cluster (recoveries complete
 * at once, pacing deciders stand aside) until nothing changes, starting from where copies are (or are moving to),
 * so only what must change does. Rounds then move each copy at most once, straight to its desired node.
 *
 * @param assignments copy → desired node; copies that cannot be placed anywhere are absent
 * @param iterations  simulation passes it took
 * @param converged   whether the simulation reached a fixed point within its pass limit
 */
public record DesiredBalance(Map<CopyId, String> assignments, int iterations, boolean converged) {

    public DesiredBalance {
        assignments = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(assignments));
    }

    /** @return the desired node of {@code copy}, empty if it cannot be placed */
    public Optional<String> nodeOf(CopyId copy) {
        return Optional.ofNullable(assignments.get(copy));
    }
}
