/**
 * The Queue entity (the master copy of one queue): batching appends into journal writes, offsets, reads with tag
 * filters, long polling. Threading: {@link dev.ferry.queue.QueueEntity} and its persistent child are actor-confined;
 * their mutable state never leaves them; messages are immutable records.
 */
package dev.ferry.queue;
