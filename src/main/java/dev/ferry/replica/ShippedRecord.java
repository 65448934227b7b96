package dev.ferry.replica;

import dev.ferry.cluster.CborSerializable;

/**
 * One commit-log record as the master stored it (the journal plugin's encoding of the event), shipped byte for byte
 * so the replica's store holds exactly what the master's does, at the same sequence number.
 */
public record ShippedRecord(long sequenceNr, int tagHash, byte[] payload) implements CborSerializable {}
