package dev.ferry.http;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.broker.TopicName;
import dev.ferry.broker.TopicState;
import dev.ferry.group.ConsumerGroup;
import dev.ferry.node.FerryMetrics;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.QueueMessage;
import dev.ferry.queue.ReadBudget;
import dev.ferry.queue.TagFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumer groups: pull (assignment from the group entity, reads from the owned queues, long polling across them),
 * commit, describe with lag (docs/http-api.md, "Consumer groups").
 */
final class GroupApi {
    private final Services services;
    private final Sender sender;
    private final Duration timeout;
    private final long maxWaitMs;
    private final int maxRead;
    private final long maxBytes;
    private final OffsetApi offsets;

    GroupApi(Services services, Sender sender) {
        this.services = services;
        this.sender = sender;
        this.offsets = new OffsetApi(services, sender);
        this.timeout = services.settings().http().askTimeout();
        this.maxWaitMs = services.settings().http().maxWait().toMillis();
        this.maxRead = services.settings().http().maxMessagesPerRead();
        this.maxBytes = services.settings().http().maxBytesPerRead();
    }

    static void checkGroup(String group) {
        String problem = TopicName.problem(group);
        if (problem != null) throw ApiException.badRequest("invalid_group_name", problem.replace("topic name", "group name"));
    }

    private EntityRef<ConsumerGroup.Command> groupRef(String group) {
        return services.sharding().entityRefFor(ConsumerGroup.TYPE_KEY, group);
    }

    CompletionStage<HttpResponse> pull(String group, byte[] body) {
        checkGroup(group);
        Bodies.Pull req = Json.parse(body, Bodies.Pull.class, "pull");
        if (req.topic() == null) throw ApiException.badRequest("invalid_field", "field 'topic' is required");
        checkConsumer(req.consumer(), "field 'consumer'");
        checkSession(req.session(), "field 'session'");
        TopicApi.checkName(req.topic());
        int max = req.max() == null ? 32 : req.max();
        if (max < 1 || max > maxRead) throw ApiException.badRequest("invalid_field", "field 'max' must be between 1 and " + maxRead + ", was " + max);
        long waitMs = req.waitMs() == null ? 0 : req.waitMs();
        if (waitMs < 0 || waitMs > maxWaitMs) throw ApiException.badRequest("invalid_field", "field 'waitMs' must be between 0 and " + maxWaitMs + ", was " + waitMs);
        if (req.maxBytes() != null && req.maxBytes() < 1)
            throw ApiException.badRequest("invalid_field", "field 'maxBytes' must be at least 1, was " + req.maxBytes());
        long bytes = req.maxBytes() == null ? maxBytes : Math.min(maxBytes, req.maxBytes());
        TagFilter filter = TagFilter.parse(req.tags());
        Member member = new Member(req.consumer(), req.session());
        return sender.topic(req.topic()).thenCompose(t -> pullOnce(group, t, member, max, bytes, filter, waitMs)
                .thenApply(d -> render(group, t, req.consumer(), d)));
    }

    static void checkConsumer(String consumer, String what) {
        if (consumer == null || consumer.isBlank())
            throw ApiException.badRequest("invalid_field", what + " is required: a name of 1 to 255 characters identifying this consumer");
        if (consumer.length() > 255)
            throw ApiException.badRequest("invalid_field", what + " is " + consumer.length() + " characters long; a consumer name has 1 to 255");
    }

    /** A session is optional; if given, 1 to 255 characters. */
    static void checkSession(String session, String what) {
        if (session != null && (session.isBlank() || session.length() > 255))
            throw ApiException.badRequest("invalid_field", what + " must be 1 to 255 characters identifying this run of the consumer "
                    + "(a new session restarts its queues at the committed offsets), or left out");
    }

    /**
     * A consumer of a group and its session (null: none; the node then keeps where its previous pulls got). The node
     * trusts the positions it keeps for a consumer within one session only.
     */
    record Member(String consumer, String session) {}

    CompletionStage<HttpResponse> leave(String group, byte[] body) {
        checkGroup(group);
        Bodies.Leave req = Json.parse(body, Bodies.Leave.class, "leave");
        if (req.topic() == null) throw ApiException.badRequest("invalid_field", "field 'topic' is required");
        checkConsumer(req.consumer(), "field 'consumer'");
        checkSession(req.session(), "field 'session'");
        TopicApi.checkName(req.topic());
        return sender.topic(req.topic()).thenCompose(t -> leave(group, t, new Member(req.consumer(), req.session())))
                .thenApply(left -> Responses.json(200, Responses.map("group", group, "topic", req.topic(), "consumer", req.consumer(),
                        "left", left.left())));
    }

    /** What one pull delivered: the consumer's queues and, per queue read, the messages taken. */
    record Delivery(ConsumerGroup.Assignment assignment, List<QueueEntity.Messages> taken) {
        int size() {
            return total(taken);
        }
    }

    /**
     * One consumer-group pull: marks {@code consumer} live, reads its queues (long-polling up to {@code waitMs} when
     * nothing is there), takes at most {@code max} messages and {@code maxBytes} (the first message always) and tells
     * the group how far each queue was delivered.
     */
    CompletionStage<Delivery> pullOnce(String group, TopicState t, Member consumer, int max, long maxBytes, TagFilter filter, long waitMs) {
        return assign(group, t, consumer).thenCompose(assignment -> deliver(group, t, consumer, assignment, max, maxBytes, filter, waitMs));
    }

    /** The first half of a pull: marks {@code consumer} live and answers with the queues it owns and where to read. */
    CompletionStage<ConsumerGroup.Assignment> assign(String group, TopicState t, Member consumer) {
        return Asks.inline(groupRef(group).ask(r -> new ConsumerGroup.Pull(t.name(), t.incarnation(), t.settings().queues(),
                consumer.consumer(), consumer.session(), r), timeout));
    }

    /** The second half of a pull: reads the assigned queues, long-polling up to {@code waitMs} when nothing is there. */
    CompletionStage<Delivery> deliver(String group, TopicState t, Member consumer, ConsumerGroup.Assignment assignment,
                                      int max, long maxBytes, TagFilter filter, long waitMs) {
        return readAssigned(t, assignment, max, maxBytes, filter, 0)
                .thenCompose(first -> total(first) > 0 || waitMs == 0 || assignment.queues().isEmpty()
                        ? CompletableFuture.completedFuture(first)
                        : longPoll(t, assignment, max, maxBytes, filter, waitMs))
                .thenApply(results -> take(group, t, consumer, assignment, results, new ReadBudget(max, maxBytes)));
    }

    /** {@code consumer} is gone: the group re-assigns its queues on the others' next pulls, from the committed offsets. */
    CompletionStage<ConsumerGroup.Left> leave(String group, TopicState t, Member consumer) {
        return Asks.inline(groupRef(group).<ConsumerGroup.Left>ask(r -> new ConsumerGroup.Leave(t.name(), t.incarnation(),
                consumer.consumer(), consumer.session(), r), timeout));
    }

    /**
     * One read per owned queue, in parallel, each with the whole budget (a queue's big message is not starved by its
     * share), then trimmed to the budget over all of them by {@link #take} (Kafka's per-partition and per-fetch bytes).
     */
    private CompletableFuture<List<QueueEntity.Messages>> readAssigned(TopicState t, ConsumerGroup.Assignment a, int max,
                                                                      long maxBytes, TagFilter filter, long waitMs) {
        List<CompletableFuture<QueueEntity.Messages>> reads = new ArrayList<>();
        for (ConsumerGroup.QueueFetch f : a.queues()) reads.add(read(t, f, max, maxBytes, filter, waitMs));
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(v -> reads.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<QueueEntity.Messages> read(TopicState t, ConsumerGroup.QueueFetch f, int max, long maxBytes,
                                                         TagFilter filter, long waitMs) {
        return Asks.on(services.system().executionContext(), sender.queueRef(t.name(), f.queueId())
                .<QueueEntity.ReadReply>ask(r -> new QueueEntity.Read(f.offset(), max, maxBytes, filter, waitMs, r), timeout.plusMillis(waitMs)))
                .thenApply(reply -> {
                    if (reply instanceof QueueEntity.Messages m) return m;
                    QueueEntity.ReadRejected r = (QueueEntity.ReadRejected) reply;
                    throw new ApiException(r.status(), r.error(), r.detail());
                });
    }

    /** Parks a read on every owned queue; answers with the first that brings messages, or empty when all time out. */
    private CompletableFuture<List<QueueEntity.Messages>> longPoll(TopicState t, ConsumerGroup.Assignment a, int max, long maxBytes,
                                                                  TagFilter filter, long waitMs) {
        CompletableFuture<List<QueueEntity.Messages>> done = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(a.queues().size());
        for (ConsumerGroup.QueueFetch f : a.queues()) {
            read(t, f, max, maxBytes, filter, waitMs).whenComplete((m, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else if (!m.messages().isEmpty()) {
                    done.complete(List.of(m));
                } else if (left.decrementAndGet() == 0) {
                    done.complete(List.of());
                }
            });
        }
        return done;
    }

    private static int total(List<QueueEntity.Messages> results) {
        return results.stream().mapToInt(m -> m.messages().size()).sum();
    }

    /** Takes what {@code budget} allows over the queues, in order, and tells the group how far each queue was delivered. */
    private Delivery take(String group, TopicState t, Member consumer, ConsumerGroup.Assignment a,
                          List<QueueEntity.Messages> results, ReadBudget budget) {
        List<QueueEntity.Messages> taken = new ArrayList<>(results.size());
        int delivered = 0;
        for (QueueEntity.Messages m : results) {
            int fit = 0;
            while (fit < m.messages().size() && budget.tryTake(m.messages().get(fit).message())) fit++;
            List<QueueMessage> part = fit == m.messages().size() ? m.messages() : m.messages().subList(0, fit);
            delivered += part.size();
            long next = part.size() == m.messages().size() ? m.nextOffset()
                    : part.isEmpty() ? -1 : part.get(part.size() - 1).offset() + 1;
            if (next >= 0) groupRef(group).tell(new ConsumerGroup.Fetched(t.name(), t.incarnation(), consumer.consumer(), consumer.session(), m.queueId(), next));
            taken.add(new QueueEntity.Messages(m.queueId(), m.minOffset(), m.maxOffset(), next, part, m.copy(), m.status()));
        }
        FerryMetrics.MESSAGES_READ.labels(t.name()).inc(delivered);
        return new Delivery(a, taken);
    }

    private static HttpResponse render(String group, TopicState t, String consumer, Delivery d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("group", group);
            g.writeStringField("topic", t.name());
            g.writeStringField("consumer", consumer);
            g.writeArrayFieldStart("queues");
            for (ConsumerGroup.QueueFetch f : d.assignment().queues()) g.writeNumber(f.queueId());
            g.writeEndArray();
            g.writeArrayFieldStart("messages");
            for (QueueEntity.Messages m : d.taken()) for (QueueMessage qm : m.messages()) MessageJson.write(g, qm, m.queueId());
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Responses.json(200, out.toByteArray());
    }

    /** Commits {@code offset} (the next to consume) without checking it against the queue: for offsets this node delivered. */
    CompletionStage<ConsumerGroup.Committed> commitDelivered(String group, TopicState t, int queue, long offset) {
        return Asks.inline(groupRef(group).ask(r -> new ConsumerGroup.Commit(t.name(), t.incarnation(), queue, offset, r), timeout));
    }

    CompletionStage<HttpResponse> commit(String group, byte[] body) {
        checkGroup(group);
        Bodies.Commit req = Json.parse(body, Bodies.Commit.class, "commit");
        if (req.topic() == null) throw ApiException.badRequest("invalid_field", "field 'topic' is required");
        if (req.queue() == null) throw ApiException.badRequest("invalid_field", "field 'queue' is required");
        if (req.offset() == null) throw ApiException.badRequest("invalid_field", "field 'offset' is required (the next offset to consume)");
        if (req.offset() < 0) throw ApiException.badRequest("invalid_field", "field 'offset' must not be negative, was " + req.offset());
        TopicApi.checkName(req.topic());
        return sender.topic(req.topic()).thenCompose(t -> {
            if (req.queue() < 0)
                throw ApiException.badRequest("invalid_field", "field 'queue' must be a queue id (0.." + (t.settings().queues() - 1) + "), was " + req.queue());
            if (req.queue() >= t.settings().queues())
                throw new ApiException(404, "queue_not_found", "topic " + t.name() + " has queues 0.." + (t.settings().queues() - 1) + ", not " + req.queue());
            return maxOffset(t, req.queue()).thenCompose(max -> {
                if (req.offset() > max)
                    throw new ApiException(400, "offset_out_of_range", "offset " + req.offset() + " is beyond the end of queue "
                            + t.name() + "/" + req.queue() + ": its maxOffset (the offset the next message will get) is " + max
                            + "; commit the NEXT offset to consume (last processed offset + 1), at most " + max);
                return groupRef(group).<ConsumerGroup.Committed>ask(r -> new ConsumerGroup.Commit(t.name(), t.incarnation(), req.queue(), req.offset(), r), timeout);
            });
        }).thenApply(c -> Responses.json(200, Responses.map("group", group, "topic", c.topic(), "queue", c.queueId(), "offset", c.offset())));
    }

    /**
     * {@code POST /groups/{g}/reset}: sets the group's committed offsets of a topic's queues to their earliest or latest
     * offset, the first offset at a time, or a given offset (clamped to what the queue holds), as Kafka's
     * {@code kafka-consumer-groups --reset-offsets} and RocketMQ's {@code resetOffsetByTime}. Only while the group has
     * no live consumer of the topic (409 otherwise); {@code dryRun} shows the offsets without setting them.
     */
    CompletionStage<HttpResponse> reset(String group, byte[] body) {
        checkGroup(group);
        Bodies.Reset req = Json.parse(body, Bodies.Reset.class, "reset");
        if (req.topic() == null) throw ApiException.badRequest("invalid_field", "field 'topic' is required");
        TopicApi.checkName(req.topic());
        String to = req.to() == null ? "" : req.to();
        long timestamp;
        switch (to) {
            case "earliest", "latest" -> timestamp = -1;
            case "timestamp" -> {
                if (req.timestamp() == null || req.timestamp().isNull())
                    throw ApiException.badRequest("invalid_field", "field 'timestamp' is required with \"to\": \"timestamp\": epoch milliseconds or an ISO-8601 time such as 2026-11-23T10:00:00Z");
                timestamp = OffsetApi.timestamp(req.timestamp().isNumber() ? req.timestamp().asText() : req.timestamp().isTextual() ? req.timestamp().textValue() : req.timestamp().toString(),
                        "invalid_field", "field 'timestamp'");
            }
            case "offset" -> {
                if (req.offset() == null) throw ApiException.badRequest("invalid_field", "field 'offset' is required with \"to\": \"offset\"");
                if (req.offset() < 0) throw ApiException.badRequest("invalid_field", "field 'offset' must not be negative, was " + req.offset());
                timestamp = -1;
            }
            default -> throw ApiException.badRequest("invalid_field", "field 'to' must be earliest, latest, timestamp or offset"
                    + (to.isEmpty() ? "" : ", was \"" + to + "\""));
        }
        if (req.offset() != null && !to.equals("offset"))
            throw ApiException.badRequest("invalid_field", "field 'offset' goes only with \"to\": \"offset\"");
        if (req.timestamp() != null && !to.equals("timestamp"))
            throw ApiException.badRequest("invalid_field", "field 'timestamp' goes only with \"to\": \"timestamp\"");
        boolean dryRun = Boolean.TRUE.equals(req.dryRun());
        return sender.topic(req.topic()).thenCompose(t -> {
            List<Integer> queues = resetQueues(t, req.queues());
            List<CompletableFuture<Long>> each = new ArrayList<>();
            for (int q : queues) {
                CompletionStage<Long> target = switch (to) {
                    case "timestamp" -> offsets.search(t.name(), q, timestamp).thenApply(OffsetSearch.Found::offset);
                    case "earliest" -> offsets.bounds(t.name(), q).thenApply(OffsetSearch.Found::minOffset);
                    case "latest" -> offsets.bounds(t.name(), q).thenApply(OffsetSearch.Found::maxOffset);
                    default -> offsets.bounds(t.name(), q).thenApply(b -> Math.max(b.minOffset(), Math.min(b.maxOffset(), req.offset())));
                };
                each.add(target.toCompletableFuture());
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenCompose(v -> {
                Map<Integer, Long> target = new java.util.TreeMap<>();
                for (int i = 0; i < queues.size(); i++) target.put(queues.get(i), each.get(i).join());
                if (dryRun) return CompletableFuture.completedFuture(resetAnswer(group, t.name(), to, true, target));
                return Asks.inline(groupRef(group).<ConsumerGroup.ResetReply>ask(r -> new ConsumerGroup.Reset(t.name(), t.incarnation(), target, r), timeout))
                        .thenApply(reply -> {
                            if (reply instanceof ConsumerGroup.ResetRefused refused)
                                throw new ApiException(409, "group_active", "group " + group + " has live consumers of topic " + t.name() + ": "
                                        + refused.consumers() + "; stop them (each leaves with POST /groups/" + group
                                        + "/leave, or goes after ferry.consumer.session-timeout of silence) and reset again, as Kafka resets only an inactive group");
                            return resetAnswer(group, t.name(), to, false, ((ConsumerGroup.ResetDone) reply).offsets());
                        });
            });
        });
    }

    private static List<Integer> resetQueues(TopicState t, List<Integer> asked) {
        int n = t.settings().queues();
        if (asked == null) {
            List<Integer> all = new ArrayList<>();
            for (int q = 0; q < n; q++) all.add(q);
            return all;
        }
        if (asked.isEmpty()) throw ApiException.badRequest("invalid_field", "field 'queues' must name at least one queue (leave it out for all)");
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (Integer q : asked) {
            if (q == null || q < 0) throw ApiException.badRequest("invalid_field", "field 'queues' must hold queue ids (0.." + (n - 1) + "), was " + asked);
            if (q >= n) throw new ApiException(404, "queue_not_found", "topic " + t.name() + " has queues 0.." + (n - 1) + ", not " + q);
            out.add(q);
        }
        return new ArrayList<>(out);
    }

    private static HttpResponse resetAnswer(String group, String topic, String to, boolean dryRun, Map<Integer, Long> target) {
        List<Object> queues = new ArrayList<>();
        target.forEach((q, offset) -> queues.add(Responses.map("queue", q, "offset", offset)));
        return Responses.json(200, Responses.map("group", group, "topic", topic, "to", to, "dryRun", dryRun, "queues", queues));
    }

    /**
     * The queue's maxOffset, once it is serving: a read past its end answers at once with it (a stats request would
     * answer from a queue still recovering its log, with a maxOffset that is not yet true).
     */
    private CompletionStage<Long> maxOffset(TopicState t, int queue) {
        return Asks.inline(sender.queueRef(t.name(), queue)
                .<QueueEntity.ReadReply>ask(r -> new QueueEntity.Read(Long.MAX_VALUE, 1, 1, TagFilter.ALL, 0, r), timeout))
                .thenApply(reply -> {
                    if (reply instanceof QueueEntity.Messages m) return m.maxOffset();
                    QueueEntity.ReadRejected r = (QueueEntity.ReadRejected) reply;
                    throw new ApiException(r.status(), r.error(), r.detail());
                });
    }

    /**
     * {@code GET /groups}: the groups with committed offsets on a topic that exists (this node's copy of Distributed
     * Data, which every commit reaches by gossip), as {@code kafka-consumer-groups --list}; a group that only pulled and
     * never committed is not listed (its consumers live in its entity's memory only).
     */
    CompletionStage<HttpResponse> list() {
        akka.actor.ActorRef classic = akka.cluster.ddata.DistributedData.get(akka.actor.typed.javadsl.Adapter.toClassic(services.system())).replicator();
        return Asks.inline(akka.pattern.Patterns.ask(classic, akka.cluster.ddata.Replicator.GetKeyIds$.MODULE$, timeout)).thenCompose(r -> {
            List<String> groups = ((akka.cluster.ddata.Replicator.GetKeyIdsResult) r).getKeyIds().stream()
                    .filter(k -> k.startsWith(ConsumerGroup.GROUP_KEY_PREFIX)).map(k -> k.substring(ConsumerGroup.GROUP_KEY_PREFIX.length())).sorted().toList();
            var typed = akka.cluster.ddata.typed.javadsl.DistributedData.get(services.system()).replicator();
            List<CompletableFuture<List<String>>> topics = new ArrayList<>();
            for (String g : groups)
                topics.add(Asks.inline(akka.actor.typed.javadsl.AskPattern.<akka.cluster.ddata.typed.javadsl.Replicator.Command,
                                akka.cluster.ddata.typed.javadsl.Replicator.GetResponse<akka.cluster.ddata.LWWMap<String, Long>>>ask(typed,
                        reply -> new akka.cluster.ddata.typed.javadsl.Replicator.Get<>(ConsumerGroup.key(g),
                                akka.cluster.ddata.typed.javadsl.Replicator.readLocal(), reply), timeout, services.system().scheduler()))
                        .thenApply(rsp -> rsp instanceof akka.cluster.ddata.typed.javadsl.Replicator.GetSuccess<akka.cluster.ddata.LWWMap<String, Long>> ok
                                ? ConsumerGroup.topicsOf(ok.get(ConsumerGroup.key(g)).getEntries()).stream()
                                        .filter(ti -> services.routes().get(ti.topic()).map(st -> st.incarnation() == ti.incarnation()).orElse(false))
                                        .map(ConsumerGroup.TopicIncarnation::topic).distinct().toList()
                                : List.<String>of()));
            return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < groups.size(); i++) {
                    List<String> t = topics.get(i).join();
                    if (!t.isEmpty()) out.add(Responses.map("group", groups.get(i), "topics", t));
                }
                return Responses.json(200, Responses.map("groups", out));
            });
        });
    }

    /** {@code DELETE /groups/{g}}: forgets every committed offset of an empty group (Kafka {@code --delete}). */
    CompletionStage<HttpResponse> delete(String group) {
        checkGroup(group);
        return Asks.inline(groupRef(group).<ConsumerGroup.DeleteReply>ask(ConsumerGroup.Delete::new, timeout)).thenApply(reply -> {
            if (reply instanceof ConsumerGroup.DeleteRefused refused)
                throw new ApiException(409, "group_active", "group " + group + " has live consumers " + refused.consumers()
                        + "; stop them (each leaves with POST /groups/" + group + "/leave, or goes after ferry.consumer.session-timeout of silence)"
                        + " and delete again, as Kafka deletes only an empty group");
            if (!((ConsumerGroup.Deleted) reply).existed())
                throw new ApiException(404, "group_not_found", "group " + group + " has no committed offsets and no consumers");
            return Responses.json(200, Responses.map("group", group, "deleted", true));
        });
    }

    CompletionStage<HttpResponse> describe(String group) {
        checkGroup(group);
        return Asks.inline(groupRef(group).<ConsumerGroup.GroupView>ask(ConsumerGroup.Describe::new, timeout)).thenCompose(view -> {
            // Offsets and members of a deleted topic, or of the incarnation before a re-create, are not the group's any more.
            List<ConsumerGroup.TopicView> current = view.topics().stream().filter(tv -> services.routes().get(tv.topic())
                    .map(state -> state.incarnation() == tv.incarnation()).orElse(false)).toList();
            if (current.isEmpty())
                throw new ApiException(404, "group_not_found", "group " + group + " has no committed offsets and no live consumers "
                        + "(consumers are live while they pull; they are kept in memory only, so a restart forgets them): "
                        + "a group shows with its first POST /groups/" + group + "/pull or /commit");
            List<CompletableFuture<Object>> topics = new ArrayList<>();
            for (ConsumerGroup.TopicView tv : current) topics.add(describeTopic(tv));
            return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(v ->
                    Responses.json(200, Responses.map("group", group, "topics", topics.stream().map(CompletableFuture::join).toList())));
        });
    }

    private CompletableFuture<Object> describeTopic(ConsumerGroup.TopicView tv) {
        var state = services.routes().get(tv.topic());
        int queues = state.map(s -> s.settings().queues()).orElse(0);
        List<CompletableFuture<QueueEntity.Stats>> stats = new ArrayList<>();
        for (int q = 0; q < queues; q++)
            stats.add(QueueStats.ask(sender, tv.topic(), q, timeout));
        return CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Object> rows = new ArrayList<>();
            for (int q = 0; q < queues; q++) {
                QueueEntity.Stats s = stats.get(q).join();
                long committed = tv.committed().getOrDefault(q, -1L);
                long max = s == null ? -1 : s.maxOffset();
                long lag = s == null ? -1 : Math.max(0, max - (committed < 0 ? s.minOffset() : committed));
                rows.add(Responses.map("queue", q, "committed", committed, "maxOffset", max, "lag", lag));
            }
            List<Object> consumers = tv.consumers().stream().map(c -> (Object) Responses.map("consumer", c.consumer(),
                    "lastSeenMsAgo", c.lastSeenMillisAgo(), "queues", c.queues())).toList();
            Map<String, Object> out = Responses.map("topic", tv.topic(), "consumers", consumers, "queues", rows);
            return out;
        });
    }

}
