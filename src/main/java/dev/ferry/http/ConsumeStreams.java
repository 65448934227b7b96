package dev.ferry.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.KillSwitches;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.broker.TopicState;
import dev.ferry.group.ConsumerGroup;
import dev.ferry.node.FerryMetrics;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.QueueMessage;
import dev.ferry.queue.TagFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streaming consume (docs/http-api.md, "Streaming consume"): a long-lived NDJSON response of messages, one per line,
 * for one queue from an offset, or for a consumer's share of a group's queues.
 *
 * <p>Each stream is an {@code unfoldAsync} over the queue's long-poll reads (or the group's pulls): the next read is
 * issued only when the previous one's messages have been taken by the HTTP layer, which takes them only as fast as
 * the client's TCP window lets it write. So a slow client holds at most one read's messages plus the socket buffers
 * on the node, and a closed connection ends the stream at once ({@link ClientHangUps}): no read is issued after it,
 * and a group stream's consumer leaves its group.
 */
final class ConsumeStreams {

    private static final ByteString NEWLINE = ByteString.fromString("\n");
    private static final AtomicLong streamIds = new AtomicLong();

    private final Services services;
    private final Sender sender;
    private final GroupApi groups;
    private final Duration timeout;
    private final long maxWaitMs;
    private final int maxRead;
    private final long maxBytes;
    private final Duration keepAlive;
    private final long sessionTimeoutMs;

    ConsumeStreams(Services services, Sender sender, GroupApi groups) {
        this.services = services;
        this.sender = sender;
        this.groups = groups;
        this.timeout = services.settings().http().askTimeout();
        this.maxWaitMs = services.settings().http().maxWait().toMillis();
        this.maxRead = services.settings().http().maxMessagesPerRead();
        this.maxBytes = services.settings().http().maxBytesPerRead();
        this.keepAlive = services.settings().http().streamKeepAlive();
        this.sessionTimeoutMs = services.settings().consumer().sessionTimeout().toMillis();
    }

    /** How long one read of a stream waits at the end of the queue before the stream asks again. */
    private long pollMs() {
        return Math.max(1, Math.min(maxWaitMs, 10_000));
    }

    // ---------------------------------------------------------------- one queue

    CompletionStage<HttpResponse> queue(String topic, String queueSegment, Map<String, String> params, Optional<ClientHangUps.Signal> hungUp) {
        TopicApi.checkName(topic);
        long offset = MessageApi.longParam(params, "offset", 0, 0, Long.MAX_VALUE);
        int max = (int) MessageApi.longParam(params, "max", 32, 1, maxRead);
        long bytes = MessageApi.maxBytesParam(params, maxBytes);
        TagFilter filter = TagFilter.parse(params.get("tags"));
        int queue = MessageApi.queueId(queueSegment);
        return sender.topic(topic).thenApply(t -> {
            if (queue >= t.settings().queues())
                throw new ApiException(404, "queue_not_found", "topic " + topic + " has queues 0.." + (t.settings().queues() - 1) + ", not " + queue);
            Source<ByteString, NotUsed> lines = Source.unfoldAsync(new QueueCursor(offset, false),
                    cursor -> cursor.done() ? CompletableFuture.completedFuture(Optional.empty()) : readQueue(topic, queue, cursor.next(), max, bytes, filter));
            return response(lines, "queue", hungUp, () -> {});
        });
    }

    /** Where a queue stream reads next; {@code done} after a line that ends the stream (an error). */
    private record QueueCursor(long next, boolean done) {}

    private CompletionStage<Optional<Pair<QueueCursor, ByteString>>> readQueue(String topic, int queue, long offset, int max, long maxBytes,
                                                                                TagFilter filter) {
        FerryMetrics.CONSUME_STREAM_READS.labels("queue").inc();
        long waitMs = pollMs();
        return Asks.on(services.system().executionContext(), sender.queueRef(topic, queue)
                .<QueueEntity.ReadReply>ask(r -> new QueueEntity.Read(offset, max, maxBytes, filter, waitMs, r), timeout.plusMillis(waitMs)))
                .handle((reply, failure) -> {
                    if (reply instanceof QueueEntity.Messages m) {
                        FerryMetrics.MESSAGES_READ.labels(topic).inc(m.messages().size());
                        return CompletableFuture.completedFuture(Optional.of(Pair.create(new QueueCursor(m.nextOffset(), false), lines(m))));
                    }
                    ApiException error = failure != null ? asApi(failure)
                            : new ApiException(((QueueEntity.ReadRejected) reply).status(), ((QueueEntity.ReadRejected) reply).error(),
                            ((QueueEntity.ReadRejected) reply).detail());
                    return retryOrEnd(error, new QueueCursor(offset, false), new QueueCursor(offset, true));
                }).thenCompose(x -> x);
    }

    // ---------------------------------------------------------------- a consumer of a group

    CompletionStage<HttpResponse> group(String group, Map<String, String> params, Optional<ClientHangUps.Signal> hungUp) {
        GroupApi.checkGroup(group);
        String topic = params.get("topic");
        if (topic == null || topic.isEmpty()) throw ApiException.badRequest("invalid_parameter", "parameter 'topic' is required: the topic to consume");
        TopicApi.checkName(topic);
        String consumer = params.getOrDefault("consumer", "stream-" + services.settings().node().name() + "-" + streamIds.incrementAndGet());
        GroupApi.checkConsumer(consumer, "parameter 'consumer'");
        int max = (int) MessageApi.longParam(params, "max", 32, 1, maxRead);
        long bytes = MessageApi.maxBytesParam(params, maxBytes);
        TagFilter filter = TagFilter.parse(params.get("tags"));
        String commit = params.getOrDefault("commit", "manual");
        if (!commit.equals("manual") && !commit.equals("auto"))
            throw ApiException.badRequest("invalid_parameter", "parameter 'commit' must be 'manual' (commit with POST /groups/" + group
                    + "/commit) or 'auto' (the stream commits what the client has taken), was \"" + commit + "\"");
        boolean auto = commit.equals("auto");
        // A consumer is live while it pulls once per session timeout: the stream's long polls stay well inside it.
        long waitMs = Math.max(1, Math.min(pollMs(), sessionTimeoutMs / 3));
        // Each stream is a session of its consumer of its own: it starts at the committed offsets, not where an
        // earlier stream or client of the same consumer id got.
        GroupApi.Member member = new GroupApi.Member(consumer, "stream-" + UUID.randomUUID());
        return sender.topic(topic).thenApply(t -> {
            // The group's answer to the stream's latest pull: leaving only after it keeps a pull that was on its way
            // from re-joining the consumer behind the leave.
            AtomicReference<CompletionStage<?>> lastAssign = new AtomicReference<>(CompletableFuture.completedFuture(null));
            Source<ByteString, NotUsed> lines = Source.unfoldAsync(new GroupCursor(Map.of(), false),
                    cursor -> cursor.done() ? CompletableFuture.completedFuture(Optional.empty())
                            : pullGroup(group, t, member, max, bytes, filter, waitMs, auto ? cursor.delivered() : Map.of(), lastAssign));
            return response(lines, "group", hungUp, () -> lastAssign.get().whenComplete((a, e) -> groups.leave(group, t, member)));
        });
    }

    /** What the previous pull delivered (queue -> next offset), committed before the next pull when commit=auto. */
    private record GroupCursor(Map<Integer, Long> delivered, boolean done) {}

    private CompletionStage<Optional<Pair<GroupCursor, ByteString>>> pullGroup(String group, TopicState t, GroupApi.Member consumer, int max,
                                                                                long maxBytes, TagFilter filter, long waitMs,
                                                                                Map<Integer, Long> commit,
                                                                                AtomicReference<CompletionStage<?>> lastAssign) {
        // The client took the previous pull's messages (that is why this pull runs): commit them, then pull on.
        CompletableFuture<?> committed = CompletableFuture.allOf(commit.entrySet().stream()
                .map(e -> groups.commitDelivered(group, t, e.getKey(), e.getValue()).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
        FerryMetrics.CONSUME_STREAM_READS.labels("group").inc();
        CompletableFuture<ConsumerGroup.Assignment> assigned = committed.thenCompose(v -> groups.assign(group, t, consumer));
        lastAssign.set(assigned);
        return assigned.thenCompose(a -> groups.deliver(group, t, consumer, a, max, maxBytes, filter, waitMs)).handle((d, failure) -> {
            if (failure == null && d.assignment().topicReplaced())
                return retryOrEnd(new ApiException(404, "topic_not_found", "topic " + t.name() + " was deleted (and created again) "
                        + "while this stream read it; open a new stream to read the new topic"), new GroupCursor(Map.of(), false), new GroupCursor(Map.of(), true));
            if (failure == null && d.assignment().queues().isEmpty()) {
                // More consumers than queues: this one owns none for now; ask again after a long poll's time, not at once.
                return Patterns.after(Duration.ofMillis(waitMs), services.system().classicSystem().scheduler(), services.system().executionContext(),
                        () -> CompletableFuture.completedFuture(Optional.of(Pair.create(new GroupCursor(Map.of(), false), ByteString.emptyByteString()))));
            }
            if (failure == null) {
                Map<Integer, Long> delivered = new HashMap<>();
                ByteString out = ByteString.emptyByteString();
                for (QueueEntity.Messages m : d.taken()) {
                    if (m.messages().isEmpty()) continue;
                    delivered.put(m.queueId(), m.nextOffset());
                    out = out.concat(lines(m));
                }
                return CompletableFuture.completedFuture(Optional.of(Pair.create(new GroupCursor(delivered, false), out)));
            }
            return retryOrEnd(asApi(failure), new GroupCursor(Map.of(), false), new GroupCursor(Map.of(), true));
        }).thenCompose(x -> x);
    }

    // ---------------------------------------------------------------- shared

    /**
     * The NDJSON response over {@code lines}, ended when the client hangs up (cancelling a read or pull in flight, so
     * a long poll does not hold it), after which {@code onEnd} runs.
     */
    private HttpResponse response(Source<ByteString, NotUsed> lines, String kind, Optional<ClientHangUps.Signal> hungUp, Runnable onEnd) {
        Source<ByteString, NotUsed> body = lines
                .viaMat(KillSwitches.single(), Keep.right())
                .mapMaterializedValue(stop -> hungUp.map(h -> h.onHangUp(stop::shutdown)).orElse(() -> {}))
                .filter(b -> !b.isEmpty())
                // Blank lines while nothing arrives keep proxies and idle timeouts from closing a quiet stream.
                .keepAlive(keepAlive, () -> NEWLINE)
                .watchTermination((forgetHangUp, done) -> {
                    FerryMetrics.CONSUME_STREAMS.labels(kind).inc();
                    done.whenComplete((d, e) -> {
                        FerryMetrics.CONSUME_STREAMS.labels(kind).dec();
                        forgetHangUp.run();
                        onEnd.run();
                    });
                    return NotUsed.getInstance();
                });
        return HttpResponse.create().withStatus(200).withEntity(HttpEntities.createChunked(MessageApi.NDJSON, body));
    }

    /**
     * A queue moving or starting (503) is waited out; anything else (the topic was deleted, ...) ends the stream
     * with one error line.
     */
    private <S> CompletionStage<Optional<Pair<S, ByteString>>> retryOrEnd(ApiException error, S same, S end) {
        if (error.status() == 503) {
            return Patterns.after(Duration.ofMillis(500), services.system().classicSystem().scheduler(), services.system().executionContext(),
                    () -> CompletableFuture.completedFuture(Optional.of(Pair.create(same, ByteString.emptyByteString()))));
        }
        return CompletableFuture.completedFuture(Optional.of(Pair.create(end, errorLine(error))));
    }

    private static ApiException asApi(Throwable failure) {
        RuntimeException r = Sender.translate(failure);
        return r instanceof ApiException api ? api : ApiException.unavailable(String.valueOf(r.getMessage()));
    }

    /** The messages, one JSON object per line. */
    private static ByteString lines(QueueEntity.Messages m) {
        if (m.messages().isEmpty()) return ByteString.emptyByteString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(m.messages().size() * 256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (QueueMessage qm : m.messages()) {
                MessageJson.write(g, qm, m.queueId());
                g.flush();
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteString.fromArrayUnsafe(out.toByteArray());
    }

    private static ByteString errorLine(ApiException e) {
        try {
            return ByteString.fromArrayUnsafe(Json.MAPPER.writeValueAsBytes(Responses.map("error", e.error(), "detail", e.detail()))).concat(NEWLINE);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
