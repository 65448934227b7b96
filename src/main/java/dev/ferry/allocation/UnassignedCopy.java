package dev.ferry.allocation;

/**
 * A copy that is still unassigned after a round, and why.
 *
 * @param copy        the copy
 * @param status      the outcome of this round's attempt
 * @param info        why it became unassigned
 * @param explanation one sentence: the deciding NO or THROTTLE (use {@link Allocator#explain} for every node's answer)
 */
public record UnassignedCopy(CopyId copy, AllocationStatus status, UnassignedInfo info, String explanation) {
}
