/**
 * The pure core of peer recovery (docs/replication.md, "Peer recovery"): the node-wide byte-rate limiter
 * ({@link dev.ferry.recovery.TokenBucket}), the per-node counters of live incoming/outgoing recoveries
 * ({@link dev.ferry.recovery.RecoverySlots}), and the search for the point where a replica's log and its master's
 * log diverge ({@link dev.ferry.recovery.DivergenceSearch}, {@link dev.ferry.recovery.LogFingerprint}).
 * No Akka, Config or Jackson here; the Replica and Queue entities are the shell that uses it.
 * Threading: TokenBucket and RecoverySlots are thread-safe (shared by a node's streams); DivergenceSearch is
 * confined to the actor that owns it; the rest are immutable or stateless.
 */
package dev.ferry.recovery;
