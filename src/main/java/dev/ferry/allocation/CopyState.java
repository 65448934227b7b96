package dev.ferry.allocation;

/** Where a copy is in its life: ES's shard routing states. */
public enum CopyState {
    /** Not on any node. */
    UNASSIGNED,
    /** Assigned to a node and recovering there (a new replica's peer recovery, a master opening its log). */
    INITIALIZING,
    /** Serving on its node. */
    STARTED,
    /** Serving on its node while a recovery to {@link Copy#relocatingTo()} runs; it leaves its node once that completes. */
    RELOCATING
}
