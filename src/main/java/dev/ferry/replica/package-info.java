/**
 * The Replica entity (replica copy n >= 1 of a queue) and the replication protocol it shares with the Queue entity:
 * shipments of raw commit-log records with the master's term, acknowledgements, and the node-local writer leases
 * ({@link dev.ferry.replica.LocalWriters}) that keep one writer per persistence id and node (docs/replication.md).
 * Threading: entities are actor-confined; LocalWriters is a synchronized JVM-wide table; values are immutable records.
 */
package dev.ferry.replica;
