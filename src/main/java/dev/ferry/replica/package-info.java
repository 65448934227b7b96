/** The Replica entity (replica copy n >= 1 of a queue); passive until replication (issue #5). Actor-confined. */
package dev.ferry.replica;
