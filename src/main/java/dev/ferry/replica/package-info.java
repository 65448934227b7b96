/**
 * The Replica entity (replica copy n >= 1 of a queue) and the replication protocol it shares with the Queue entity:
 * shipments of raw commit-log records with the master's term, acknowledgements, and the node-local writer leases
 * ({@link dev.ferry.replica.LocalWriters}) that keep one writer per persistence id and node (docs/replication.md);
 * peer recovery's node-wide resources ({@link dev.ferry.replica.NodeRecoveries}) and its throttle settings, dynamic
 * through PUT /cluster/settings ({@link dev.ferry.replica.RecoverySettings}).
 * Threading: entities are actor-confined; LocalWriters is a synchronized JVM-wide table; NodeRecoveries is thread-safe
 * (the settings listener runs on whichever thread learnt the change); values are immutable records.
 */
package dev.ferry.replica;
