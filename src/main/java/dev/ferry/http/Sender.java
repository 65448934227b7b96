package dev.ferry.http;

import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import dev.ferry.allocation.DiskWatermarks;
import dev.ferry.cluster.FloodStageMonitor;
import dev.ferry.node.FerryMetrics;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The send path: topic from the local route table (asking the Broker only on a miss), queue choice (explicit, by
 * sharding key, or round robin), then one Append per queue to the Queue entity through the sharding region. Acks
 * come back when the queue's batch is stored.
 */
final class Sender {

    /** A message ready to send, with the producer's queue choice. */
    record Outgoing(StoredMessage message, Integer queue, String shardingKey) {}

    record Ack(String messageId, int queue, long offset) {}

    private final Services services;
    private final Duration timeout;
    private final MessageIds ids;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final Map<String, EntityRef<QueueEntity.Command>> queueRefs = new ConcurrentHashMap<>();

    Sender(Services services) {
        this.services = services;
        this.timeout = services.settings().http().askTimeout();
        this.ids = new MessageIds(services.settings().node().name());
    }

    String newId(long now) {
        return ids.next(now);
    }

    EntityRef<QueueEntity.Command> queueRef(String topic, int queue) {
        String id = QueueEntity.entityId(topic, queue);
        return queueRefs.computeIfAbsent(id, k -> services.sharding().entityRefFor(QueueEntity.TYPE_KEY, k));
    }

    EntityRef<Broker.Command> brokerRef(String topic) {
        return services.sharding().entityRefFor(Broker.TYPE_KEY, topic);
    }

    /** The live topic: from the route table, else from its Broker; 404 if it does not exist. */
    CompletionStage<TopicState> topic(String topic) {
        var local = services.routes().get(topic);
        if (local.isPresent()) return CompletableFuture.completedFuture(local.get());
        return brokerRef(topic).ask(Broker.Get::new, timeout).thenApply(reply -> {
            if (reply instanceof Broker.TopicReply t) {
                services.routes().learn(t.state());
                return t.state();
            }
            throw ApiException.topicNotFound(topic);
        }).exceptionally(e -> { throw translate(e); });
    }

    /**
     * Like {@link #topic} but creates the topic with the node's defaults when auto-create is on (RocketMQ
     * autoCreateTopicEnable), and refuses a topic the flood-stage disk watermark made read-only.
     */
    CompletionStage<TopicState> topicForSend(String topic) {
        return findForSend(topic).thenApply(t -> {
            if (FloodStageMonitor.isBlocked(t)) throw floodStage(t);
            return t;
        });
    }

    /**
     * 429 as Elasticsearch answers a write to an index with the flood-stage block: the condition lifts by itself, so a
     * client should back off and retry, not give up.
     */
    private ApiException floodStage(TopicState t) {
        FerryMetrics.SEND_FAILURES.labels("disk_flood_stage").inc();
        java.util.Set<String> nodes = new java.util.TreeSet<>();
        for (var q : t.queues()) q.nodes().values().forEach(n -> { if (!n.isEmpty()) nodes.add(n); });
        var w = services.allocation().settings().watermarks();
        return new ApiException(429, "disk_flood_stage", "topic " + t.name() + " is read-only: a node holding its queues " + nodes
                + " passed the flood-stage disk watermark (" + w.text(DiskWatermarks.Level.FLOOD_STAGE) + "). Sends resume by themselves once "
                + "every such node is below the high watermark (" + w.text(DiskWatermarks.Level.HIGH) + "): free disk space or add nodes, or "
                + "raise the watermarks with PUT /cluster/settings; reads and deletes still work (GET /cluster/nodes shows disk use)");
    }

    private CompletionStage<TopicState> findForSend(String topic) {
        var local = services.routes().get(topic);
        if (local.isPresent()) return CompletableFuture.completedFuture(local.get());
        if (!services.settings().topic().autoCreate()) return topic(topic);
        TopicSettings defaults = services.settings().topic().toSettings();
        return brokerRef(topic).ask(Broker.Get::new, timeout).thenCompose(reply -> {
            if (reply instanceof Broker.TopicReply t) return CompletableFuture.completedFuture(t);
            return brokerRef(topic).ask((akka.actor.typed.ActorRef<Broker.Reply> r) -> new Broker.Create(defaults, r), timeout);
        }).thenCompose(reply -> {
            if (reply instanceof Broker.TopicReply t) {
                services.routes().learn(t.state());
                return CompletableFuture.completedFuture(t.state());
            }
            // Created concurrently with other settings: read what exists.
            if (reply instanceof Broker.Rejected rej && rej.status() == 409) return topic(topic);
            if (reply instanceof Broker.Rejected rej) throw new ApiException(rej.status(), rej.error(), rej.detail());
            throw ApiException.topicNotFound(topic);
        }).exceptionally(e -> { throw translate(e); });
    }

    int chooseQueue(TopicState t, Integer explicit, String shardingKey, String where) {
        int queues = t.settings().queues();
        if (explicit != null) {
            if (explicit < 0 || explicit >= queues)
                throw ApiException.badRequest("invalid_field", where + ": queue " + explicit + " does not exist; topic " + t.name() + " has queues 0.." + (queues - 1));
            return explicit;
        }
        if (shardingKey != null && !shardingKey.isEmpty()) return Math.floorMod(shardingKey.hashCode(), queues);
        return Math.floorMod(roundRobin.getAndIncrement(), queues);
    }

    void checkSize(TopicState t, int size, String where) {
        if (size > t.settings().maxMessageSize())
            throw new ApiException(413, "message_too_large", where + ": message body is " + size + " bytes, topic " + t.name()
                    + " accepts at most " + t.settings().maxMessageSize() + " (max-message-size)");
    }

    /** Sends one message already assigned to {@code queue}. */
    CompletionStage<Ack> sendOne(TopicState t, int queue, StoredMessage m) {
        long start = System.nanoTime();
        return queueRef(t.name(), queue).<QueueEntity.AppendReply>ask(r -> new QueueEntity.Append(List.of(m), r), timeout)
                .thenApply(reply -> {
                    if (reply instanceof QueueEntity.Appended a) {
                        FerryMetrics.MESSAGES_SENT.labels(t.name()).inc();
                        FerryMetrics.BYTES_SENT.labels(t.name()).inc(m.body().length);
                        FerryMetrics.SEND_LATENCY.observe((System.nanoTime() - start) / 1e9);
                        return new Ack(m.id(), a.queueId(), a.firstOffset());
                    }
                    throw rejected((QueueEntity.AppendRejected) reply);
                }).exceptionally(e -> { throw translate(e); });
    }

    /** Sends many messages, each with its queue already chosen; one Append per queue; acks in input order. */
    CompletionStage<List<Ack>> send(TopicState t, int[] queues, List<StoredMessage> messages) {
        long start = System.nanoTime();
        Map<Integer, List<Integer>> byQueue = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) byQueue.computeIfAbsent(queues[i], q -> new ArrayList<>()).add(i);
        Ack[] acks = new Ack[messages.size()];
        List<CompletableFuture<?>> parts = new ArrayList<>();
        byQueue.forEach((q, indexes) -> {
            List<StoredMessage> part = indexes.stream().map(messages::get).toList();
            parts.add(queueRef(t.name(), q).<QueueEntity.AppendReply>ask(r -> new QueueEntity.Append(part, r), timeout)
                    .thenAccept(reply -> {
                        if (!(reply instanceof QueueEntity.Appended a)) throw rejected((QueueEntity.AppendRejected) reply);
                        for (int k = 0; k < indexes.size(); k++) {
                            int i = indexes.get(k);
                            acks[i] = new Ack(messages.get(i).id(), q, a.firstOffset() + k);
                        }
                    }).toCompletableFuture());
        });
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            long bytes = 0;
            for (StoredMessage m : messages) bytes += m.body().length;
            FerryMetrics.MESSAGES_SENT.labels(t.name()).inc(messages.size());
            FerryMetrics.BYTES_SENT.labels(t.name()).inc(bytes);
            FerryMetrics.SEND_LATENCY.observe((System.nanoTime() - start) / 1e9);
            return List.of(acks);
        }).exceptionally(e -> { throw translate(e); });
    }

    private static ApiException rejected(QueueEntity.AppendRejected r) {
        FerryMetrics.SEND_FAILURES.labels(r.error()).inc();
        return new ApiException(r.status(), r.error(), r.detail());
    }

    /** Unwraps completion exceptions; an ask timeout becomes 503. */
    static RuntimeException translate(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) c = c.getCause();
        if (c instanceof ApiException api) return api;
        if (c instanceof TimeoutException || c instanceof akka.pattern.AskTimeoutException)
            return ApiException.unavailable("the cluster did not answer in time (" + c.getMessage() + "); retry");
        return c instanceof RuntimeException r ? r : new CompletionException(c);
    }
}
