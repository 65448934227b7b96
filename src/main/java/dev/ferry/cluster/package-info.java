/**
 * The cluster shell: node attributes as roles, disk usage published through Distributed Data
 * ({@link dev.ferry.cluster.ClusterInfo}), the per-node route table read from the Brokers' data
 * ({@link dev.ferry.cluster.RouteTable}), one-shard-per-entity extraction and {@link dev.ferry.cluster.FerryAllocationStrategy},
 * the Akka side of the allocation core. Threading: RouteTable and ClusterInfo are written by their own actors and
 * read concurrently (lock-free maps); the strategy runs inside the shard coordinator actor and never blocks.
 */
package dev.ferry.cluster;
