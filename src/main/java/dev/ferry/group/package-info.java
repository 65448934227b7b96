/**
 * Consumer groups: queue assignment among live consumers, fetch positions, committed offsets in durable Distributed
 * Data. Threading: {@link dev.ferry.group.ConsumerGroup} is actor-confined; {@link dev.ferry.group.QueueAssignment} and {@link dev.ferry.group.OffsetKey} are pure.
 */
package dev.ferry.group;
