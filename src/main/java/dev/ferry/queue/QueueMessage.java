package dev.ferry.queue;

import dev.ferry.cluster.CborSerializable;

/** A stored message with its offset in its queue, as reads return it. */
public record QueueMessage(long offset, StoredMessage message) implements CborSerializable {}
