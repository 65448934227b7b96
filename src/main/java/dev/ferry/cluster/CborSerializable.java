package dev.ferry.cluster;

/**
 * Marker for every Ferry value that crosses a node boundary or is persisted: sharding messages, Distributed Data
 * values and journal events. Bound to Akka's jackson-cbor serializer in ferry-akka.conf.
 */
public interface CborSerializable {}
