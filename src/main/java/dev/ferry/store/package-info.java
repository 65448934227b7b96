/**
 * The message store: a pure-Java, memory-mapped commit log with a per-persistence-id index (RocketMQ's CommitLog
 * and ConsumeQueue), group-committed flushing, checkpointed crash recovery and retention. No Akka, Config or
 * Jackson here; {@code dev.ferry.journal} adapts it to Akka Persistence.
 *
 * <p>What it owns on disk and the byte formats: {@link dev.ferry.store.SegmentDescriptor} (segments, records),
 * {@link dev.ferry.store.IndexDescriptor} (index entries), {@link dev.ferry.store.MessageStore} (directory layout).
 * How it works and why: {@code docs/storage.md}.
 *
 * <p>Threading rules:
 * <ul>
 *   <li>{@link dev.ferry.store.MessageStore} is the only public entry point and every public method is thread-safe.</li>
 *   <li>Appends are serialised by one writer lock; the calling thread copies its group into the mapped segment
 *       and updates the indexes, then publishes (volatile) the new write position and highest sequence nrs.</li>
 *   <li>Reads take no lock; they only look at entries up to the published highest sequence nr.</li>
 *   <li>One flush thread per store forces the commit log (group commit for SYNC, timed for ASYNC); one
 *       housekeeping thread writes checkpoints and runs retention; one allocator thread zero-fills the pages
 *       ahead of the writer and prepares the next segment, kept out of the writer's range by a volatile
 *       handshake ({@link dev.ferry.store.SegmentAllocator}).</li>
 *   <li>Mappings are never unmapped explicitly: a segment dropped by retention stays mapped until the garbage
 *       collector finds no reader holding it, so no reader can touch an unmapped page.</li>
 *   <li>No thread holds the writer lock and the flush lock at the same time (checkpoint, retention and
 *       truncateAfter take them one after the other), so they cannot deadlock; the checkpoint and retention
 *       monitors are outermost.</li>
 * </ul>
 */
package dev.ferry.store;
