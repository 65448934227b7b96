package dev.ferry.http;

import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.HttpResponse;
import dev.ferry.allocation.AllocationExplanation;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.InvalidSettingException;
import dev.ferry.node.Services;
import dev.ferry.replica.RecoverySettings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Allocation explain and the validation of dynamic allocation settings, both answered by the allocation core over
 * the same view the strategy builds (members, disk, topics, where sharding runs each copy now).
 */
final class AllocationApi {
    private final Services services;
    private final Sender sender;
    private final Placement placement;
    private final Allocator allocator = new Allocator();

    AllocationApi(Services services, Sender sender, Placement placement) {
        this.services = services;
        this.sender = sender;
        this.placement = placement;
    }

    CompletionStage<HttpResponse> explain(Map<String, String> params) {
        String topic = params.get("topic");
        if (topic == null) throw ApiException.badRequest("invalid_parameter", "topic is required: /cluster/allocation/explain?topic=T&queue=Q&copy=C");
        TopicApi.checkName(topic);
        String queueParam = params.get("queue");
        if ((queueParam == null || queueParam.isEmpty()) && params.containsKey("copy"))
            throw ApiException.badRequest("invalid_parameter", "copy=" + params.get("copy") + " needs a queue: "
                    + "/cluster/allocation/explain?topic=" + topic + "&queue=Q&copy=" + params.get("copy") + " (without queue and copy, the topic's Broker is explained)");
        int copy = (int) MessageApi.longParam(params, "copy", 0, 0, Integer.MAX_VALUE);
        return sender.topic(topic).thenCompose(t -> placement.entityNodes().thenApply(where -> {
            if (queueParam == null || queueParam.isEmpty()) {
                String node = where.getOrDefault("broker:" + topic, "");
                return Responses.json(200, Responses.map("topic", topic, "entity", topic, "type", "broker", "currentNode", node,
                        "decision", Responses.map("explanation",
                                "a Broker holds no local data (its state is in Distributed Data); it runs on the up node with the fewest brokers")));
            }
            int queue = MessageApi.queueId(queueParam);
            if (queue >= t.settings().queues())
                throw new ApiException(404, "queue_not_found", "topic " + topic + " has queues 0.." + (t.settings().queues() - 1) + ", not " + queue);
            if (copy > t.settings().replicas())
                throw new ApiException(404, "copy_not_found", "topic " + topic + " has copies 0.." + t.settings().replicas() + " (0 = master), not " + copy);
            CopyId id = new CopyId(topic, queue, copy);
            AllocationExplanation e = allocator.explain(services.allocation().view(upMembers(), running(where)), id);
            return Responses.json(200, Responses.map("topic", topic, "queue", queue, "copy", copy, "entity", id.entityId(),
                    "currentNode", where.getOrDefault((copy == 0 ? "queue:" : "replica:") + id.entityId(), ""), "decision", e));
        }));
    }

    private List<Member> upMembers() {
        List<Member> out = new ArrayList<>();
        for (Member m : Cluster.get(services.system()).state().getMembers()) if (m.status() == MemberStatus.up()) out.add(m);
        return out;
    }

    private static Map<CopyId, String> running(Map<String, String> where) {
        Map<CopyId, String> out = new HashMap<>();
        where.forEach((key, node) -> {
            if (key.startsWith("queue:") || key.startsWith("replica:")) {
                try {
                    out.put(CopyId.parse(key.substring(key.indexOf(':') + 1)), node);
                } catch (IllegalArgumentException ignored) {
                    // not a copy id
                }
            }
        });
        return out;
    }

    Map<String, String> defaults() {
        return services.allocation().staticSettings();
    }

    /**
     * Throws 400 naming the setting when {@code dynamic} (over the node's defaults) is not a valid set of allocation
     * settings; the recovery keys it lets through are the caller's to check ({@link ClusterApi}).
     */
    void validate(Map<String, String> dynamic) {
        for (String key : dynamic.keySet())
            if (!key.startsWith(AllocationSettings.PREFIX) && !key.equals(AllocationSettings.MAX_QUEUE_COPIES_PER_NODE)
                    && !RecoverySettings.DYNAMIC.contains(key))
                throw ApiException.badRequest("invalid_settings", "setting [" + key + "] is not a dynamic cluster setting; only "
                        + AllocationSettings.PREFIX + "*, " + AllocationSettings.MAX_QUEUE_COPIES_PER_NODE + ", "
                        + RecoverySettings.MAX_BYTES_PER_SEC + " and " + RecoverySettings.CHUNK_SIZE
                        + " are (see docs/allocation.md, docs/replication.md)");
        Map<String, String> merged = new HashMap<>(services.allocation().staticSettings());
        merged.putAll(dynamic);
        try {
            AllocationSettings.parse(merged);
        } catch (InvalidSettingException e) {
            throw ApiException.badRequest("invalid_settings", e.getMessage());
        }
    }

}
