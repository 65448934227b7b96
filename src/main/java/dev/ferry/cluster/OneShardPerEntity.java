package dev.ferry.cluster;

import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Shard id = entity id: every broker, queue and replica copy is its own shard, so FerryAllocationStrategy decides
 * about each copy individually (DESIGN.md, "The three sharded entity types").
 */
public final class OneShardPerEntity<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
    @Override public String entityId(ShardingEnvelope<M> envelope) { return envelope.entityId(); }
    @Override public String shardId(String entityId) { return entityId; }
    @Override public M unwrapMessage(ShardingEnvelope<M> envelope) { return envelope.message(); }
}
