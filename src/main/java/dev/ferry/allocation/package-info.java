/**
 * Ferry's allocation core: where every topic's queue copies (master and replicas) live.
 *
 * <p>Elasticsearch's shard allocation model in Ferry's vocabulary (topic = index, queue = shard,
 * master/replica = primary/replica): a {@link dev.ferry.allocation.ClusterView} snapshot goes in,
 * {@link dev.ferry.allocation.Decision}s, moves and explanations come out. Deciders answer YES / NO / THROTTLE,
 * a weight function ranks nodes, a desired balance is computed first and the cluster is moved towards it,
 * each copy at most once.
 *
 * <p>Pure: no Akka, Typesafe Config or Jackson (an ArchUnit test enforces it); the Akka shell
 * ({@code FerryAllocationStrategy}), the HTTP explain route and the CLI simulator adapt it.
 *
 * <p>Threading: every value type here is immutable and may be shared freely. {@link dev.ferry.allocation.Allocator}
 * is stateless and thread-safe. {@link dev.ferry.allocation.Routing} and its nodes and copies are the mutable
 * working copy of one computation and are confined to the thread running it.
 */
package dev.ferry.allocation;
