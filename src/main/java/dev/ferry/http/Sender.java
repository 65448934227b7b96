package dev.ferry.http;

import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import dev.ferry.allocation.DiskWatermarks;
import dev.ferry.cluster.FloodStageMonitor;
import dev.ferry.node.FerryMetrics;
import dev.ferry.node.Services;
import dev.ferry.queue.LocalMasters;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The send path: topic from the local route table (asking the Broker only on a miss), queue choice (explicit, by
 * sharding key, or round robin per topic), then the messages go to the Queue entity: straight to it when it is a master on this
 * node ({@link LocalMasters}), else through the sharding region. Acks come back when the queue's batch is stored.
 *
 * <p>Concurrent sends to one queue are coalesced here, in front of sharding ({@link QueueLane}): while
 * {@link QueueLane#MAX_IN_FLIGHT} Appends of this node are on their way to a queue, later sends (single POSTs,
 * parts of batches, stream groups) wait and then go together as ONE Append. Each ask, sharding envelope, region and
 * shard hop and reply then serves a whole group instead of one message; the entity would have put them into one
 * journal write anyway. A lone producer sees no added latency (an idle lane sends at once). Durability and order
 * are the entity's: a send is answered only by the entity's reply for the Append that carried it, and a lane hands
 * its messages to sharding in the order they arrived.
 */
final class Sender {

    /** A message ready to send, with the producer's queue choice. */
    record Outgoing(StoredMessage message, Integer queue, String shardingKey) {}

    record Ack(String messageId, int queue, long offset) {}

    private final Services services;
    private final Duration timeout;
    private final MessageIds ids;
    private final RoundRobin roundRobin = new RoundRobin();
    private final Map<String, EntityRef<QueueEntity.Command>> queueRefs = new ConcurrentHashMap<>();
    private final Map<String, QueueLane> lanes = new ConcurrentHashMap<>();
    private final LocalMasters localMasters;
    private final int maxBatchMessages;

    Sender(Services services) {
        this.services = services;
        this.timeout = services.settings().http().askTimeout();
        this.ids = new MessageIds(services.settings().node().name());
        this.maxBatchMessages = services.settings().queue().maxBatchMessages();
        this.localMasters = LocalMasters.get(services.system());
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
        return Asks.inline(brokerRef(topic).ask(Broker.Get::new, timeout)).thenApply(reply -> {
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
     *
     * <p>A send that would store nothing creates nothing: before auto-creating, {@code storesAny} runs the send's own
     * checks against the topic as it would be created; when they refuse every message, the answer is that
     * {@link #provisional} topic, uncreated, and the caller's checks then answer the refusal (400, 413) themselves.
     */
    CompletionStage<TopicState> topicForSend(String topic, java.util.function.Predicate<TopicState> storesAny) {
        var local = services.routes().get(topic);
        if (local.isPresent()) // the hot path: no extra stage per send
            return FloodStageMonitor.isBlocked(local.get()) ? CompletableFuture.failedFuture(floodStage(local.get()))
                    : CompletableFuture.completedFuture(local.get());
        return findForSend(topic, storesAny).thenApply(t -> {
            if (FloodStageMonitor.isBlocked(t)) throw floodStage(t);
            return t;
        });
    }

    /**
     * 429 as Elasticsearch answers a write to an index with the flood-stage block: the condition lifts by itself, so a
     * client should back off and retry, not give up.
     */
    private ApiException floodStage(TopicState t) {
        java.util.Set<String> nodes = new java.util.TreeSet<>();
        for (var q : t.queues()) q.nodes().values().forEach(n -> { if (!n.isEmpty()) nodes.add(n); });
        var w = services.allocation().settings().watermarks();
        return new ApiException(429, "disk_flood_stage", "topic " + t.name() + " is read-only: a node holding its queues " + nodes
                + " passed the flood-stage disk watermark (" + w.text(DiskWatermarks.Level.FLOOD_STAGE) + "). Sends resume by themselves once "
                + "every such node is below the high watermark (" + w.text(DiskWatermarks.Level.HIGH) + "): free disk space or add nodes, or "
                + "raise the watermarks with PUT /cluster/settings; reads and deletes still work (GET /cluster/nodes shows disk use)");
    }

    private CompletionStage<TopicState> findForSend(String topic, java.util.function.Predicate<TopicState> storesAny) {
        if (!services.settings().topic().autoCreate()) return topic(topic);
        TopicSettings defaults = services.settings().topic().toSettings();
        return Asks.inline(brokerRef(topic).ask(Broker.Get::new, timeout)).thenCompose(reply -> {
            if (reply instanceof Broker.TopicReply t) return CompletableFuture.completedFuture(t);
            TopicState uncreated = provisional(topic);
            if (!storesAny.test(uncreated)) return CompletableFuture.completedFuture(new Broker.TopicReply(uncreated, false));
            CopyLimit.check(services, topic, defaults);
            return brokerRef(topic).ask((akka.actor.typed.ActorRef<Broker.Reply> r) -> new Broker.Create(defaults, r), timeout);
        }).thenCompose(reply -> {
            if (reply instanceof Broker.TopicReply t && isProvisional(t.state())) return CompletableFuture.completedFuture(t.state());
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

    /** The topic auto-create would make, not created (version -1): what a send checks itself against first. */
    TopicState provisional(String topic) {
        return new TopicState(topic, services.settings().topic().toSettings(), List.of(), 0, false, 0, -1);
    }

    private static boolean isProvisional(TopicState t) {
        return t.version() < 0;
    }

    private static void requireCreated(TopicState t) {
        if (isProvisional(t)) throw new IllegalStateException("topic " + t.name() + " was never created; its sends' checks should have refused them");
    }

    int chooseQueue(TopicState t, Integer explicit, String shardingKey, String where) {
        return chooseQueue(t, explicit, shardingKey, where, "invalid_field");
    }

    /** @param error the code refusing a queue id the topic does not have: invalid_field (a body's field) or invalid_header (Ferry-Queue) */
    int chooseQueue(TopicState t, Integer explicit, String shardingKey, String where, String error) {
        int queues = t.settings().queues();
        if (explicit != null) {
            if (explicit < 0 || explicit >= queues)
                throw ApiException.badRequest(error, where + ": queue " + explicit + " does not exist; topic " + t.name() + " has queues 0.." + (queues - 1));
            return explicit;
        }
        if (shardingKey != null && !shardingKey.isEmpty()) return Math.floorMod(shardingKey.hashCode(), queues);
        return roundRobin.next(t.name(), queues);
    }

    void checkSize(TopicState t, int size, String where) {
        if (size > t.settings().maxMessageSize())
            throw new ApiException(413, "message_too_large", where + ": message body is " + size + " bytes, topic " + t.name()
                    + " accepts at most " + t.settings().maxMessageSize() + " (max-message-size)");
    }

    /** Sends one message already assigned to {@code queue}. */
    CompletionStage<Ack> sendOne(TopicState t, int queue, StoredMessage m) {
        requireCreated(t);
        long start = System.nanoTime();
        return lane(t.name(), queue).submit(List.of(m)).thenApply(first -> {
            FerryMetrics.MESSAGES_SENT.labels(t.name()).inc();
            FerryMetrics.BYTES_SENT.labels(t.name()).inc(m.body().length);
            FerryMetrics.SEND_LATENCY.observe((System.nanoTime() - start) / 1e9);
            return new Ack(m.id(), queue, first);
        }).exceptionally(e -> { throw sendFailure(e, t.name(), queue); });
    }

    /** Sends many messages, each with its queue already chosen; one part per queue; acks in input order. */
    CompletionStage<List<Ack>> send(TopicState t, int[] queues, List<StoredMessage> messages) {
        requireCreated(t);
        long start = System.nanoTime();
        int n = messages.size();
        // Indexes grouped by queue without boxing: count per queue, then fill (queues are 0..queues-1).
        int queueCount = 0;
        for (int q : queues) queueCount = Math.max(queueCount, q + 1);
        int[] counts = new int[queueCount];
        for (int q : queues) counts[q]++;
        int[][] byQueue = new int[queueCount][];
        for (int q = 0; q < queueCount; q++) if (counts[q] > 0) byQueue[q] = new int[counts[q]];
        int[] fill = new int[queueCount];
        for (int i = 0; i < n; i++) byQueue[queues[i]][fill[queues[i]]++] = i;
        Ack[] acks = new Ack[n];
        CompletableFuture<?>[] parts = new CompletableFuture<?>[queueCount];
        for (int q = 0; q < queueCount; q++) {
            int[] indexes = byQueue[q];
            if (indexes == null) {
                parts[q] = CompletableFuture.completedFuture(null);
                continue;
            }
            List<StoredMessage> part;
            if (indexes.length == n) part = messages;
            else {
                StoredMessage[] a = new StoredMessage[indexes.length];
                for (int k = 0; k < a.length; k++) a[k] = messages.get(indexes[k]);
                part = Arrays.asList(a);
            }
            int queue = q;
            parts[q] = lane(t.name(), q).submit(part).thenAccept(first -> {
                for (int k = 0; k < indexes.length; k++) {
                    int i = indexes[k];
                    acks[i] = new Ack(messages.get(i).id(), queue, first + k);
                }
            }).exceptionally(e -> { throw sendFailure(e, t.name(), queue); });
        }
        return CompletableFuture.allOf(parts).thenApply(v -> {
            long bytes = 0;
            for (StoredMessage m : messages) bytes += m.body().length;
            FerryMetrics.MESSAGES_SENT.labels(t.name()).inc(n);
            FerryMetrics.BYTES_SENT.labels(t.name()).inc(bytes);
            FerryMetrics.SEND_LATENCY.observe((System.nanoTime() - start) / 1e9);
            return List.of(acks);
        }).exceptionally(e -> { throw translate(e); });
    }

    private QueueLane lane(String topic, int queue) {
        String id = QueueEntity.entityId(topic, queue);
        QueueLane lane = lanes.get(id);
        return lane != null ? lane : lanes.computeIfAbsent(id, k -> new QueueLane(k, queueRef(topic, queue)));
    }

    /**
     * This node's way into one queue: at most {@link #MAX_IN_FLIGHT} Appends outstanding, everything else waits and
     * goes as one Append when one comes back. Two in flight (not one) so the entity finds the next group in its
     * mailbox the moment a journal write completes, instead of waiting for a round trip to this node and back.
     * An Append unanswered for {@link #STALLED_AFTER} no longer holds the lane: when a master's node dies, its
     * Appends are answered only by the ask timeout, and sends to the promoted master must not wait behind them.
     */
    private final class QueueLane {
        static final int MAX_IN_FLIGHT = 2;
        static final long STALLED_AFTER = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);

        private record Part(List<StoredMessage> messages, CompletableFuture<Long> firstOffset) {}

        private final String entityId;
        private final EntityRef<QueueEntity.Command> ref;
        private final ArrayDeque<Part> waiting = new ArrayDeque<>();
        /** Whether the last Append went straight to a local master (see {@link #route}). */
        private boolean lastDirect;
        /** Issue times (System.nanoTime) of the Appends not answered yet. */
        private final List<Long> inFlight = new ArrayList<>();
        private boolean recheckScheduled;

        QueueLane(String entityId, EntityRef<QueueEntity.Command> ref) {
            this.entityId = entityId;
            this.ref = ref;
        }

        /**
         * The local master when there is one, else null (through sharding). Appends leave in order and must arrive in
         * order: one still on its way through the region could be overtaken by a direct one, so the lane turns direct
         * only when nothing is in flight. Turning back is safe at once: a master that left the registry is stopping,
         * and sharding starts the next incarnation only after it has answered everything in its mailbox.
         */
        private akka.actor.typed.ActorRef<QueueEntity.Command> route() {
            var local = localMasters.master(entityId);
            lastDirect = local != null && (lastDirect || inFlight.isEmpty());
            return lastDirect ? local : null;
        }

        /** @return the offset of the part's first message, once the entity stored it */
        CompletableFuture<Long> submit(List<StoredMessage> messages) {
            Part p = new Part(messages, new CompletableFuture<>());
            synchronized (this) {
                waiting.add(p);
                dispatchIfFree();
            }
            return p.firstOffset();
        }

        /** Dispatches when fewer than MAX_IN_FLIGHT Appends are outstanding and not stalled; else re-checks later. */
        private void dispatchIfFree() {
            if (waiting.isEmpty()) return;
            long now = System.nanoTime();
            int live = 0;
            long oldestLive = Long.MAX_VALUE;
            for (long issued : inFlight) {
                if (now - issued < STALLED_AFTER) {
                    live++;
                    oldestLive = Math.min(oldestLive, issued);
                }
            }
            if (live < MAX_IN_FLIGHT) {
                dispatch(now);
                return;
            }
            if (!recheckScheduled) {
                recheckScheduled = true;
                Duration in = Duration.ofNanos(Math.max(1_000_000, oldestLive + STALLED_AFTER - now));
                services.system().scheduler().scheduleOnce(in, this::recheck, services.system().executionContext());
            }
        }

        private void recheck() {
            synchronized (this) {
                recheckScheduled = false;
                dispatchIfFree();
            }
        }

        /** Sends the waiting parts (up to max-batch-messages) as one Append. Called holding the lock: asks leave in order. */
        private void dispatch(long now) {
            Part first = waiting.poll();
            if (first == null) return;
            if (waiting.isEmpty() || first.messages().size() >= maxBatchMessages) {
                send(List.of(first), first.messages(), now);
                return;
            }
            List<Part> group = new ArrayList<>();
            List<StoredMessage> messages = new ArrayList<>(first.messages());
            group.add(first);
            while (!waiting.isEmpty() && messages.size() + waiting.peek().messages().size() <= maxBatchMessages) {
                Part p = waiting.poll();
                group.add(p);
                messages.addAll(p.messages());
            }
            send(group, messages, now);
        }

        private void send(List<Part> group, List<StoredMessage> messages, long now) {
            Long issued = now;
            var direct = route();
            inFlight.add(issued);
            CompletionStage<QueueEntity.AppendReply> ask = direct != null
                    ? AskPattern.ask(direct, r -> new QueueEntity.Append(messages, r), timeout, services.system().scheduler())
                    : ref.ask(r -> new QueueEntity.Append(messages, r), timeout);
            Asks.inline(ask).whenComplete((reply, failure) -> {
                synchronized (this) {
                    inFlight.remove(issued); // an equal issue time, if any, stands for the same amount of work
                    dispatchIfFree();
                }
                if (reply instanceof QueueEntity.Appended a) {
                    long offset = a.firstOffset();
                    for (Part p : group) {
                        p.firstOffset().complete(offset);
                        offset += p.messages().size();
                    }
                } else {
                    for (Part p : group) {
                        p.firstOffset().completeExceptionally(failure != null ? failure : rejected((QueueEntity.AppendRejected) reply));
                    }
                }
            });
        }
    }

    private static ApiException rejected(QueueEntity.AppendRejected r) {
        return new ApiException(r.status(), r.error(), r.detail());
    }

    /** Unwraps completion exceptions; an ask timeout becomes 503. */
    static RuntimeException translate(Throwable e) {
        Throwable c = cause(e);
        if (c instanceof ApiException api) return api;
        if (isTimeout(c))
            return ApiException.unavailable("the cluster did not answer within ferry.http.ask-timeout; retry (GET /health and "
                    + "GET /cluster/nodes show whether every node is up)");
        return c instanceof RuntimeException r ? r : new CompletionException(c);
    }

    /**
     * A send to {@code topic}'s queue that failed: a timeout names the queue and where to look, since the usual cause is
     * a master that cannot be placed or is still recovering; the send may have been stored (at least once: retry).
     */
    private static RuntimeException sendFailure(Throwable e, String topic, int queue) {
        Throwable c = cause(e);
        if (!isTimeout(c)) return translate(c);
        return ApiException.unavailable("queue " + topic + "/" + queue + " did not acknowledge within ferry.http.ask-timeout: "
                + "its master may be unassigned or still recovering (GET /cluster/allocation/explain?topic=" + topic + "&queue="
                + queue + "&copy=0 says why). The message may or may not be stored: retry (delivery is at least once)");
    }

    private static Throwable cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) c = c.getCause();
        return c;
    }

    private static boolean isTimeout(Throwable c) {
        return c instanceof TimeoutException || c instanceof akka.pattern.AskTimeoutException;
    }
}
