package dev.ferry.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.ferry.broker.Broker;
import dev.ferry.cluster.CborSerializable;

/**
 * The Replica entity: replica copy n (n >= 1) of one queue, entity id {@code topic/queueId/n}. Placed by
 * FerryAllocationStrategy like the master. Passive for now: it announces where it runs (so the Broker's routing state
 * and the placement endpoint show it) and holds no data yet; shipping from the master, peer recovery and promotion
 * come with the replication work (issue #5).
 */
public final class Replica {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "replica");

    public static String entityId(String topic, int queueId, int copy) {
        return topic + "/" + queueId + "/" + copy;
    }

    public sealed interface Command extends CborSerializable {}

    public record Wake() implements Command {}

    public record TopicDeleted() implements Command {}

    private Replica() {}

    public static Behavior<Command> create(EntityContext<Command> entity, String nodeName) {
        return Behaviors.setup(ctx -> {
            String[] parts = entity.getEntityId().split("/");
            String topic = String.join("/", java.util.Arrays.copyOf(parts, parts.length - 2));
            int queueId = Integer.parseInt(parts[parts.length - 2]);
            int copy = Integer.parseInt(parts[parts.length - 1]);
            ClusterSharding.get(ctx.getSystem()).entityRefFor(Broker.TYPE_KEY, topic).tell(new Broker.CopyStarted(queueId, copy, nodeName));
            dev.ferry.node.FerryMetrics.COPIES.labels("replica").inc();
            return Behaviors.receive(Command.class)
                    .onMessage(Wake.class, w -> Behaviors.same())
                    .onMessage(TopicDeleted.class, d -> {
                        entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onSignal(akka.actor.typed.PostStop.class, s -> {
                        dev.ferry.node.FerryMetrics.COPIES.labels("replica").dec();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
