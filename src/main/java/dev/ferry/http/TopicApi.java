package dev.ferry.http;

import akka.actor.typed.ActorRef;
import dev.ferry.broker.Broker;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.SettingsPatch;
import dev.ferry.broker.TopicName;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;

import akka.http.javadsl.model.HttpResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Topic administration: create, list, describe, patch settings, delete (docs/http-api.md, "Topics"). */
final class TopicApi {
    private final Services services;
    private final Sender sender;
    private final Placement placement;
    private final Duration timeout;

    TopicApi(Services services, Sender sender, Placement placement) {
        this.services = services;
        this.sender = sender;
        this.placement = placement;
        this.timeout = services.settings().http().askTimeout();
    }

    static void checkName(String topic) {
        String problem = TopicName.problem(topic);
        if (problem != null) throw ApiException.badRequest("invalid_topic_name", problem);
    }

    CompletionStage<HttpResponse> create(String topic, byte[] body) {
        checkName(topic);
        Bodies.CreateTopic req = body.length == 0 ? new Bodies.CreateTopic(null, null, null, null, null, null)
                : Json.parse(body, Bodies.CreateTopic.class, "topic settings");
        var d = services.settings().topic();
        TopicSettings settings = new TopicSettings(
                req.queues() != null ? req.queues() : d.queueNums(),
                req.replicas() != null ? req.replicas() : d.replicas(),
                req.replication() != null ? parseEnum(() -> TopicSettings.Replication.parse(req.replication()), "replication") : d.replication(),
                req.flush() != null ? parseEnum(() -> TopicSettings.Flush.parse(req.flush()), "flush") : d.flush(),
                req.maxMessageSize() != null ? req.maxMessageSize() : d.maxMessageSize(),
                checkSettings(req.settings()));
        String problem = settings.validate();
        if (problem != null) throw ApiException.badRequest("invalid_settings", problem);
        // An existing topic is the Broker's to answer (200 when the same, 409 when not): only a new one adds copies.
        if (services.routes().get(topic).filter(t -> !t.deleted()).isEmpty()) checkCopyLimit(topic, settings);
        return Asks.inline(sender.brokerRef(topic).<Broker.Reply>ask(r -> new Broker.Create(settings, r), timeout))
                .thenCompose(reply -> answer(reply, topic, true));
    }

    CompletionStage<HttpResponse> patch(String topic, byte[] body) {
        checkName(topic);
        Bodies.PatchSettings req = Json.parse(body, Bodies.PatchSettings.class, "settings patch");
        if (req.settings() != null) validateTopicSettings(req.settings());
        SettingsPatch patch = new SettingsPatch(req.queues(), req.replicas(),
                req.replication() != null ? parseEnum(() -> TopicSettings.Replication.parse(req.replication()), "replication") : null,
                req.flush() != null ? parseEnum(() -> TopicSettings.Flush.parse(req.flush()), "flush") : null,
                req.maxMessageSize(), req.settings());
        if (patch.queues() == null && patch.replicas() == null && (req.settings() == null || !req.settings().containsKey(dev.ferry.allocation.TopicSettings.AUTO_EXPAND_REPLICAS)))
            return patched(topic, patch);
        return sender.topic(topic).thenCompose(t -> {
            TopicSettings after;
            try {
                after = patch.applyTo(t.settings());
            } catch (IllegalArgumentException invalid) {
                return patched(topic, patch); // the Broker refuses it with the same words
            }
            checkCopyLimit(topic, after);
            return patched(topic, patch);
        });
    }

    private CompletionStage<HttpResponse> patched(String topic, SettingsPatch patch) {
        return Asks.inline(sender.brokerRef(topic).<Broker.Reply>ask(r -> new Broker.Patch(patch, r), timeout))
                .thenCompose(reply -> answer(reply, topic, false));
    }

    private void checkCopyLimit(String topic, TopicSettings after) {
        CopyLimit.check(services, topic, after);
    }

    CompletionStage<HttpResponse> delete(String topic) {
        checkName(topic);
        return Asks.inline(sender.brokerRef(topic).<Broker.Reply>ask(Broker.Delete::new, timeout)).thenApply(reply -> {
            if (reply instanceof Broker.TopicReply t) {
                services.routes().learn(t.state());
                return Responses.json(200, Responses.map("name", topic, "deleted", true));
            }
            throw failure(reply, topic);
        });
    }

    CompletionStage<HttpResponse> list() {
        List<Object> topics = new ArrayList<>();
        for (TopicState t : services.routes().live())
            topics.add(Responses.map("name", t.name(), "queues", t.settings().queues(), "replicas", t.settings().replicas(),
                    "replication", t.settings().replication().json(), "flush", t.settings().flush().json()));
        return CompletableFuture.completedFuture(Responses.json(200, Responses.map("topics", topics)));
    }

    CompletionStage<HttpResponse> describe(String topic) {
        checkName(topic);
        return Asks.inline(sender.brokerRef(topic).<Broker.Reply>ask(Broker.Get::new, timeout)).thenCompose(reply -> {
            if (reply instanceof Broker.TopicReply t) {
                services.routes().learn(t.state());
                return describe(t.state()).thenApply(body -> Responses.json(200, body));
            }
            throw failure(reply, topic);
        });
    }

    private CompletionStage<HttpResponse> answer(Broker.Reply reply, String topic, boolean createdIs201) {
        if (reply instanceof Broker.TopicReply t) {
            services.routes().learn(t.state());
            int status = createdIs201 && t.created() ? 201 : 200;
            return describe(t.state()).thenApply(body -> Responses.json(status, body));
        }
        throw failure(reply, topic);
    }

    private static ApiException failure(Broker.Reply reply, String topic) {
        if (reply instanceof Broker.Rejected r) return new ApiException(r.status(), r.error(), r.detail());
        return ApiException.topicNotFound(topic);
    }

    /** The topic document of GET /topics/{t}: settings, and per queue its offsets and where each copy is. */
    CompletionStage<Map<String, Object>> describe(TopicState t) {
        List<CompletableFuture<QueueEntity.Stats>> stats = new ArrayList<>();
        for (QueueRoute q : t.queues()) {
            stats.add(QueueStats.ask(sender, t.name(), q.queueId(), timeout));
        }
        // null when sharding did not answer: then a copy counts as running where it last ran if that node is a member
        CompletableFuture<Map<String, String>> where = placement.entityNodes().toCompletableFuture().exceptionally(e -> null);
        return CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new)).thenCombine(where, (v, nodes) -> {
            java.util.Set<String> members = new java.util.HashSet<>(placement.nodeNames().values());
            List<Object> queues = new ArrayList<>();
            for (QueueRoute q : t.queues()) {
                QueueEntity.Stats s = stats.get(q.queueId()).join();
                List<Object> copies = new ArrayList<>();
                for (int copy = 0; copy <= t.settings().replicas(); copy++) {
                    boolean master = copy == q.master();
                    String entity = copy == 0 ? "queue:" + QueueEntity.entityId(t.name(), q.queueId())
                            : "replica:" + dev.ferry.replica.Replica.entityId(t.name(), q.queueId(), copy);
                    // node: where the copy runs now. The route's node is only where its data was left: a copy whose
                    // node is down (or that cannot be placed) was shown as running there.
                    String lastNode = q.nodes().getOrDefault(copy, "");
                    String node = nodes != null ? nodes.getOrDefault(entity, "") : members.contains(lastNode) ? lastNode : "";
                    copies.add(Responses.map("copy", copy, "role", master ? "master" : "replica", "node", node,
                            "lastNode", lastNode, "inSync", q.inSync().contains(copy)));
                }
                queues.add(Responses.map("queue", q.queueId(),
                        "minOffset", s == null ? -1 : s.minOffset(), "maxOffset", s == null ? -1 : s.maxOffset(),
                        "committedOffset", s == null ? -1 : s.committedOffset(),
                        "journalWrites", s == null ? -1 : s.writes(),
                        "master", Responses.map("copy", q.master(), "node", s != null ? s.node() : q.masterNode(), "term", q.term()),
                        "copies", copies));
            }
            return Responses.map("name", t.name(), "queues", t.settings().queues(), "replicas", t.settings().replicas(),
                    "replication", t.settings().replication().json(), "flush", t.settings().flush().json(),
                    "maxMessageSize", t.settings().maxMessageSize(), "settings", t.settings().settings(),
                    "incarnation", t.incarnation(), "createdAt", t.createdAt(), "queueStates", queues);
        });
    }

    private static Map<String, String> checkSettings(Map<String, String> settings) {
        if (settings == null) return Map.of();
        settings.forEach((k, v) -> {
            if (v == null) throw ApiException.badRequest("invalid_settings", "settings." + k + ": null is only allowed in PATCH (to remove a setting)");
        });
        validateTopicSettings(settings);
        return settings;
    }

    /** Topic-level settings are the allocation core's topic.* keys (docs/allocation.md); the core checks them. */
    static void validateTopicSettings(Map<String, String> settings) {
        Map<String, String> present = new java.util.HashMap<>();
        settings.forEach((k, v) -> {
            if (!k.startsWith("topic."))
                throw ApiException.badRequest("invalid_settings", "settings." + k + ": unknown topic setting; topic settings are the topic.* keys of docs/allocation.md (e.g. topic.allocation.require.zone)");
            if (k.equals(dev.ferry.allocation.TopicSettings.REPLICAS))
                throw ApiException.badRequest("invalid_settings", "settings." + k + ": set the replica count with the 'replicas' field");
            if (v != null) present.put(k, v);
        });
        try {
            dev.ferry.allocation.TopicSettings.parse(present);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_settings", e.getMessage());
        }
    }

    private static <E> E parseEnum(java.util.function.Supplier<E> parse, String field) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_field", "field '" + field + "': " + e.getMessage());
        }
    }
}
