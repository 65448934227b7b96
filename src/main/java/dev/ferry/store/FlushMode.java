package dev.ferry.store;

/** When an append counts as done (RocketMQ's SYNC_FLUSH / ASYNC_FLUSH). Both modes share one commit log. */
public enum FlushMode {
    /** Done once a force of the mapped pages covers the group; one force serves every group waiting (group commit). */
    SYNC,
    /** Done once the group is in the mapped file (readable); the flusher forces it within the flush interval. */
    ASYNC
}
