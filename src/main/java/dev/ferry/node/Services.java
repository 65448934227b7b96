package dev.ferry.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.cluster.sharding.ShardCoordinator;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import dev.ferry.broker.Broker;
import dev.ferry.cluster.AllocationInputs;
import dev.ferry.cluster.ClusterInfo;
import dev.ferry.cluster.FerryAllocationStrategy;
import dev.ferry.cluster.OneShardPerEntity;
import dev.ferry.cluster.RouteTable;
import dev.ferry.group.ConsumerGroup;
import dev.ferry.queue.QueueEntity;
import dev.ferry.replica.Replica;

import java.time.Clock;

/**
 * The node's running parts, wired once at start-up: the four shard regions (Broker, Queue and Replica placed by
 * {@link FerryAllocationStrategy}; consumer groups by Akka's default), this node's route table and cluster info.
 */
public record Services(ActorSystem<Void> system, FerrySettings settings, ClusterSharding sharding, RouteTable routes,
                       ClusterInfo clusterInfo, AllocationInputs allocation, ActorRef<ShardingEnvelope<Broker.Command>> brokers,
                       ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
                       ActorRef<ShardingEnvelope<Replica.Command>> replicas,
                       ActorRef<ShardingEnvelope<ConsumerGroup.Command>> groups) {

    public static Services start(ActorSystem<Void> system, FerrySettings settings) {
        RouteTable routes = new RouteTable();
        ClusterInfo info = new ClusterInfo();
        system.systemActorOf(RouteTable.subscriber(routes), "ferry-routes", Props.empty());
        system.systemActorOf(ClusterInfo.publisher(info, settings.node().name(), settings.dataDir(), settings.diskReportInterval()),
                ClusterInfo.ACTOR_NAME, Props.empty());

        AllocationInputs allocation = new AllocationInputs(routes, info, allocationSettings(system.settings().config()));
        // Peer recoveries on the data path obey the same limits as the allocator, dynamic cluster settings included.
        dev.ferry.replica.NodeRecoveries.get(system).limits(() -> allocation.settings().incomingRecoveries(),
                () -> allocation.settings().outgoingRecoveries());
        // The recovery throttle (max-bytes-per-sec, chunk-size) is held by the node's bucket: pushed to it on every change.
        info.onSettings(dev.ferry.replica.NodeRecoveries.get(system)::applyClusterSettings);
        system.systemActorOf(dev.ferry.cluster.FloodStageMonitor.create(routes, allocation, settings.diskReportInterval(),
                settings.http().askTimeout()), "ferry-flood-stage", Props.empty());
        // Relocation targets copy a replica's log before it moves here; the same actor takes the answers for this node's strategy.
        allocation.relocationReportsTo(system.systemActorOf(dev.ferry.replica.RelocationTargets.create(settings.node().name(),
                allocation::relocationReport), dev.ferry.replica.RelocationTargets.NAME, Props.empty()).narrow());
        system.systemActorOf(dev.ferry.cluster.CrashDetector.create(dev.ferry.cluster.CrashDetector.Settings.fromConfig(system.settings().config())),
                "ferry-crash-detector", Props.empty());
        ClusterSharding sharding = ClusterSharding.get(system);
        String nodeName = settings.node().name();
        var askTimeout = settings.http().askTimeout();
        ShardCoordinator.ShardAllocationStrategy brokerAllocation = new FerryAllocationStrategy(system, Broker.TYPE_KEY.name(), allocation);
        var brokers = sharding.init(Entity.of(Broker.TYPE_KEY, ctx -> Broker.create(ctx, askTimeout))
                .withStopMessage(new Broker.Stop())
                .withMessageExtractor(new OneShardPerEntity<>())
                .withAllocationStrategy(brokerAllocation));
        QueueEntity.Settings queueSettings = new QueueEntity.Settings(nodeName, settings.queue().maxBatchMessages(),
                settings.queue().readCacheBytes(), askTimeout,
                dev.ferry.replica.ReplicationSettings.fromConfig(system.settings().config()));
        var queues = sharding.init(Entity.of(QueueEntity.TYPE_KEY, ctx -> QueueEntity.create(ctx, queueSettings))
                .withMessageExtractor(new OneShardPerEntity<>())
                .withStopMessage(new QueueEntity.Stop())
                .withAllocationStrategy(new FerryAllocationStrategy(system, QueueEntity.TYPE_KEY.name(), allocation,
                        id -> sharding.entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(id.topic(), id.queue())).tell(new QueueEntity.Wake()))));
        var replicas = sharding.init(Entity.of(Replica.TYPE_KEY, ctx -> Replica.create(ctx, nodeName))
                .withMessageExtractor(new OneShardPerEntity<>())
                .withAllocationStrategy(new FerryAllocationStrategy(system, Replica.TYPE_KEY.name(), allocation,
                        id -> sharding.entityRefFor(Replica.TYPE_KEY, Replica.entityId(id.topic(), id.queue(), id.copy())).tell(new Replica.Wake()))));
        boolean fromLast = settings.consumer().consumeFrom() == FerrySettings.ConsumeFrom.LAST_OFFSET;
        var groups = sharding.init(Entity.of(ConsumerGroup.TYPE_KEY, ctx -> ConsumerGroup.create(ctx.getEntityId(),
                        settings.consumer().sessionTimeout(), fromLast, Clock.systemUTC()))
                .withMessageExtractor(new OneShardPerEntity<>()));
        return new Services(system, settings, sharding, routes, info, allocation, brokers, queues, replicas, groups);
    }

    /** ferry.allocation.* (and ferry.max-queue-copies-per-node) as the flat key -> value map the allocation core parses. */
    static java.util.Map<String, String> allocationSettings(com.typesafe.config.Config config) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (config.hasPath("ferry.allocation"))
            config.getConfig("ferry.allocation").entrySet().forEach(e -> out.put("ferry.allocation."
                    + String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey())), render(e.getValue())));
        if (config.hasPath("ferry.max-queue-copies-per-node"))
            out.put("ferry.max-queue-copies-per-node", render(config.getValue("ferry.max-queue-copies-per-node")));
        return out;
    }

    private static String render(com.typesafe.config.ConfigValue v) {
        Object u = v.unwrapped();
        if (u instanceof java.util.List<?> l) return String.join(",", l.stream().map(String::valueOf).toList());
        return String.valueOf(u);
    }
}
