package dev.ferry.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.DiskThresholdMonitor;
import dev.ferry.allocation.TopicSettings;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.SettingsPatch;
import dev.ferry.broker.TopicState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies the flood-stage disk watermark (Elasticsearch's DiskThresholdMonitor): after every disk report round, a
 * topic with a copy on a node past {@code ferry.allocation.disk.watermark.flood-stage} gets the topic setting
 * {@code topic.blocks.read-only-allow-delete = true} (producers are refused, reads and deletes work), and loses it once
 * none of its copies' nodes is past the <em>high</em> watermark. The decision is the allocation core's
 * ({@link DiskThresholdMonitor}); the block is written through the topic's Broker, so every node's route table has it
 * and the send path refuses without asking anyone. Only the cluster leader writes (one writer; the Broker serializes
 * anyway). Copies are counted where their data lives (the routing state's node per copy).
 */
public final class FloodStageMonitor {
    private FloodStageMonitor() {}

    private record Tick() {}

    public static Behavior<Object> create(RouteTable routes, AllocationInputs allocation, Duration interval, Duration askTimeout) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Tick(), interval);
            return Behaviors.receive(Object.class)
                    .onMessage(Tick.class, t -> {
                        Cluster cluster = Cluster.get(ctx.getSystem());
                        var leader = cluster.state().getLeader();
                        if (leader == null || !leader.equals(cluster.selfMember().address())) return Behaviors.same();
                        List<Member> up = new ArrayList<>();
                        for (Member m : cluster.state().getMembers()) if (m.status() == MemberStatus.up()) up.add(m);
                        ClusterView view;
                        try {
                            view = allocation.view(up, dataNodes(routes));
                        } catch (RuntimeException invalidSettings) {
                            ctx.getLog().warn("flood stage: cannot build the cluster view ({}); blocks unchanged", invalidSettings.getMessage());
                            return Behaviors.same();
                        }
                        Set<String> readOnly = DiskThresholdMonitor.readOnlyTopics(view);
                        for (TopicState topic : routes.live()) {
                            boolean blocked = isBlocked(topic);
                            boolean block = readOnly.contains(topic.name());
                            if (blocked == block) continue;
                            if (block) ctx.getLog().warn("topic {} has a copy on a node past the flood-stage disk watermark: it is read-only "
                                    + "(sends refused) until those nodes are below the high watermark", topic.name());
                            else ctx.getLog().info("topic {}: no copy on a node past the high disk watermark any more; sends accepted again", topic.name());
                            Map<String, String> change = new HashMap<>();
                            change.put(TopicSettings.READ_ONLY_ALLOW_DELETE, block ? "true" : null);
                            ClusterSharding.get(ctx.getSystem()).entityRefFor(Broker.TYPE_KEY, topic.name())
                                    .<Broker.Reply>ask(r -> new Broker.Patch(new SettingsPatch(null, null, null, null, null, change), r), askTimeout);
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    public static boolean isBlocked(TopicState topic) {
        return "true".equals(topic.settings().settings().get(TopicSettings.READ_ONLY_ALLOW_DELETE));
    }

    /** Where each copy's data lives, from the routing state: what fills a node's disk. */
    private static Map<CopyId, String> dataNodes(RouteTable routes) {
        Map<CopyId, String> out = new HashMap<>();
        for (TopicState t : routes.live())
            for (QueueRoute q : t.queues())
                q.nodes().forEach((copy, node) -> { if (!node.isEmpty()) out.put(new CopyId(t.name(), q.queueId(), copy), node); });
        return out;
    }
}
