package dev.ferry.allocation;

/**
 * A relocation started by a round: the copy stops on {@code from} once it has recovered on {@code to}.
 * In Akka terms the shell hands the copy's shard off from {@code from} and allocates it to {@code to}.
 *
 * @param copy the copy that moves
 * @param from the node it leaves
 * @param to   the node it moves to
 * @param kind why it moves
 */
public record Move(CopyId copy, String from, String to, Kind kind) {
    /** Why a copy moves. */
    public enum Kind {
        /** It may not remain where it is (filters, disk high watermark, limits, awareness, tiers). */
        FORCED,
        /** Balancing: towards the desired balance, or to a lighter node. */
        REBALANCE
    }
}
