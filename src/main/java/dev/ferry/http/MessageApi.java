package dev.ferry.http;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.broker.TopicState;
import dev.ferry.node.FerryMetrics;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.QueueMessage;
import dev.ferry.queue.StoredMessage;
import dev.ferry.queue.TagFilter;
import dev.ferry.replica.Replica;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Sending (single, batch, NDJSON streaming) and reading a queue by offset (docs/http-api.md, "Sending", "Reading"). */
final class MessageApi {

    static final ContentType.WithFixedCharset NDJSON =
            ContentTypes.create(MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8));
    static final int MAX_BATCH = 10_000;

    private final Services services;
    private final Sender sender;
    private final int maxRead;
    private final long maxBytes;
    private final long maxWaitMs;

    MessageApi(Services services, Sender sender) {
        this.services = services;
        this.sender = sender;
        this.maxRead = services.settings().http().maxMessagesPerRead();
        this.maxBytes = services.settings().http().maxBytesPerRead();
        this.maxWaitMs = services.settings().http().maxWait().toMillis();
    }

    // ---------------------------------------------------------------- single

    // ---------------------------------------------------------------- refused sends

    /**
     * Counts a send answered with an error in ferry_send_failures_total by its error code (message_too_large,
     * invalid_field, topic_not_found, ...): a single send or a batch once, an NDJSON line each.
     */
    private static void countRefused(Throwable e) {
        RuntimeException r = Sender.translate(e);
        FerryMetrics.SEND_FAILURES.labels(r instanceof ApiException api ? api.error() : "internal_error").inc();
    }

    /** {@code send}'s answer, a refusal counted whether it is thrown at once or completes the answer. */
    private static CompletionStage<HttpResponse> counted(java.util.function.Supplier<CompletionStage<HttpResponse>> send) {
        CompletionStage<HttpResponse> answer;
        try {
            answer = send.get();
        } catch (RuntimeException e) {
            countRefused(e);
            throw e;
        }
        return answer.whenComplete((ok, e) -> {
            if (e != null) countRefused(e);
        });
    }

    CompletionStage<HttpResponse> sendOne(String topic, HttpRequest request, ByteString body) {
        return counted(() -> sendOneUncounted(topic, request, body));
    }

    private CompletionStage<HttpResponse> sendOneUncounted(String topic, HttpRequest request, ByteString body) {
        TopicApi.checkName(topic);
        sendHeadersOnce(request);
        List<String> tags = checkTags(csvHeader(request, "Ferry-Tags"), "Ferry-Tags", "invalid_header");
        List<String> keys = csvHeader(request, "Ferry-Keys");
        String shardingKey = request.getHeader("Ferry-Sharding-Key").map(HttpHeader::value).orElse(null);
        Integer queue = request.getHeader("Ferry-Queue").map(h -> {
            try {
                if (h.value().isBlank())
                    throw ApiException.badRequest("invalid_header", "Ferry-Queue is empty: give a queue id, or leave the header out for round robin");
                return Integer.parseInt(h.value().trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_header", "Ferry-Queue must be a queue id (an integer), was \"" + h.value() + "\"");
            }
        }).orElse(null);
        byte[] bytes = body.toArray();
        return sender.topicForSend(topic, t -> accepts(() -> {
            sender.checkSize(t, bytes.length, "body");
            sender.chooseQueue(t, queue, shardingKey, "Ferry-Queue", "invalid_header");
        })).thenCompose(t -> {
            sender.checkSize(t, bytes.length, "body");
            int q = sender.chooseQueue(t, queue, shardingKey, "Ferry-Queue", "invalid_header");
            long now = System.currentTimeMillis();
            StoredMessage m = new StoredMessage(sender.newId(now), bytes, tags, keys, Map.of(), now);
            return sender.sendOne(t, q, m);
        }).thenApply(ack -> HttpResponse.create().withStatus(201).withEntity(ContentTypes.APPLICATION_JSON, ackJson(ack)));
    }

    /** The send headers, lower-cased as {@link HttpHeader#is} compares them. */
    private static final String[] SEND_HEADERS = {"ferry-tags", "ferry-keys", "ferry-sharding-key", "ferry-queue"};
    private static final String[] SEND_HEADER_NAMES = {"Ferry-Tags", "Ferry-Keys", "Ferry-Sharding-Key", "Ferry-Queue"};

    /** A send header given twice is refused: which one was meant cannot be guessed. One pass over the headers. */
    private static void sendHeadersOnce(HttpRequest request) {
        int[] seen = new int[SEND_HEADERS.length];
        for (HttpHeader h : request.getHeaders())
            for (int i = 0; i < SEND_HEADERS.length; i++) if (h.is(SEND_HEADERS[i])) seen[i]++;
        for (int i = 0; i < SEND_HEADERS.length; i++)
            if (seen[i] > 1) throw ApiException.badRequest("invalid_header", SEND_HEADER_NAMES[i] + " is given " + seen[i] + " times: give it once");
    }

    /**
     * Tags as RocketMQ takes them: a tag holding "||" (the OR of a tag filter) could never be selected by any
     * filter, so it is refused rather than stored.
     */
    private static List<String> checkTags(List<String> tags, String where, String error) {
        for (String tag : tags)
            if (tag.contains("||"))
                throw ApiException.badRequest(error, where + ": tag \"" + tag + "\" contains \"||\", the OR of tag filters; give tags as a list (comma-separated)");
        return tags;
    }

    /** True when {@code checks} pass; a send's checks throw the ApiException that answers the send. */
    private static boolean accepts(Runnable checks) {
        try {
            checks.run();
            return true;
        } catch (ApiException refused) {
            return false;
        }
    }

    private static byte[] ackJson(Sender.Ack a) {
        return ("{\"messageId\":\"" + a.messageId() + "\",\"queue\":" + a.queue() + ",\"offset\":" + a.offset() + "}")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> csvHeader(HttpRequest request, String name) {
        Optional<HttpHeader> h = request.getHeader(name);
        if (h.isEmpty()) return List.of();
        return Arrays.stream(h.get().value().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    // ---------------------------------------------------------------- batch

    CompletionStage<HttpResponse> sendBatch(String topic, byte[] body) {
        return counted(() -> sendBatchUncounted(topic, body));
    }

    private CompletionStage<HttpResponse> sendBatchUncounted(String topic, byte[] body) {
        TopicApi.checkName(topic);
        Bodies.Batch batch = Json.parse(body, Bodies.Batch.class, "batch");
        if (batch.messages() == null || batch.messages().isEmpty())
            throw ApiException.badRequest("invalid_field", "field 'messages': expected a non-empty array of messages");
        if (batch.messages().size() > MAX_BATCH)
            throw ApiException.badRequest("invalid_field", "field 'messages': at most " + MAX_BATCH + " messages per batch, got " + batch.messages().size());
        return sender.topicForSend(topic, t -> accepts(() -> prepareBatch(t, batch))).thenCompose(t -> {
            PreparedBatch prepared = prepareBatch(t, batch);
            return sender.send(t, prepared.queues(), prepared.messages());
        }).thenApply(acks -> {
            List<Object> results = new ArrayList<>(acks.size());
            for (Sender.Ack a : acks) results.add(Responses.map("messageId", a.messageId(), "queue", a.queue(), "offset", a.offset()));
            return Responses.json(201, Responses.map("results", results));
        });
    }

    private record PreparedBatch(int[] queues, List<StoredMessage> messages) {}

    /** The batch's messages and their queues; throws the ApiException that refuses the whole batch. */
    private PreparedBatch prepareBatch(TopicState t, Bodies.Batch batch) {
        int n = batch.messages().size();
        int[] queues = new int[n];
        List<StoredMessage> messages = new ArrayList<>(n);
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            Bodies.Message m = batch.messages().get(i);
            String where = "messages[" + i + "]";
            if (m == null) throw ApiException.badRequest("invalid_field", where + ": expected a message object, got null");
            messages.add(toStored(t, m, where, now));
            queues[i] = sender.chooseQueue(t, m.queue(), m.shardingKey(), where + ".queue");
        }
        return new PreparedBatch(queues, messages);
    }

    private StoredMessage toStored(TopicState t, Bodies.Message m, String where, long now) {
        byte[] bytes;
        if (m.body() != null && m.bodyBase64() != null)
            throw ApiException.badRequest("invalid_field", where + ": give either 'body' or 'bodyBase64', not both");
        if (m.body() != null) bytes = utf8(m.body(), where);
        else if (m.bodyBase64() != null) {
            try {
                bytes = Base64.getDecoder().decode(m.bodyBase64());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_field", where + ".bodyBase64: not valid base64 (" + e.getMessage() + ")");
            }
        } else throw ApiException.badRequest("invalid_field", where + ": a message needs 'body' (text) or 'bodyBase64'");
        sender.checkSize(t, bytes.length, where + ".body");
        return new StoredMessage(sender.newId(now), bytes, checkTags(strings(m.tags(), where + ".tags"), where + ".tags", "invalid_field"), strings(m.keys(), where + ".keys"),
                m.properties() == null ? Map.of() : m.properties(), now);
    }

    /**
     * A text body as UTF-8, refused when it is not Unicode text (a lone surrogate from a "\\ud800" escape): Java
     * would store '?' in its place, and the message would come back changed.
     */
    private static byte[] utf8(String body, String where) {
        boolean surrogates = false;
        for (int i = 0; i < body.length() && !surrogates; i++) surrogates = Character.isSurrogate(body.charAt(i));
        if (!surrogates) return body.getBytes(StandardCharsets.UTF_8); // the usual text: no pair to check
        java.nio.charset.CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
        try {
            java.nio.ByteBuffer out = encoder.encode(java.nio.CharBuffer.wrap(body));
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.badRequest("invalid_field", where + ".body: not Unicode text (a lone surrogate such as \\ud800); "
                    + "send binary payloads as bodyBase64");
        }
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node == null || node.isNull()) return List.of();
        if (node.isTextual()) return Arrays.stream(node.asText().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (node.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : node) {
                if (!e.isTextual()) throw ApiException.badRequest("invalid_field", where + ": expected an array of strings, found " + e.getNodeType().name().toLowerCase());
                out.add(e.asText());
            }
            return out;
        }
        throw ApiException.badRequest("invalid_field", where + ": expected an array of strings or a comma-separated string, got " + node.getNodeType().name().toLowerCase());
    }

    // ---------------------------------------------------------------- streaming

    /**
     * NDJSON in, NDJSON acks out, in order. Lines are parsed as they arrive, grouped while the previous groups are
     * being stored (batch: only when downstream is busy, so a lone producer sees no added latency), at most 4 groups
     * in flight per connection; back-pressure reaches the client through TCP.
     */
    HttpResponse stream(String topic, HttpRequest request) {
        TopicApi.checkName(topic);
        int maxLine = maxLine();
        // Only each line is bounded (by maxLine); a producer stream may run for as long as it likes.
        Source<ByteString, ?> acks = request.entity().withoutSizeLimit().getDataBytes()
                .via(new NdjsonLines(maxLine))
                .zipWithIndex()
                .filter(p -> !blank(p.first()))
                .map(p -> parseLine(p.first(), p.second() + 1))
                .batch(1000, first -> { List<Line> l = new ArrayList<>(); l.add(first); return l; }, (l, x) -> { l.add(x); return l; })
                .mapAsync(4, lines -> sendLines(topic, lines))
                .mapConcat(lines -> lines)
                .recover(new akka.japi.pf.PFBuilder<Throwable, ByteString>()
                        .matchAny(e -> line(Responses.map("error", "stream_failed", "detail", String.valueOf(e.getMessage()))))
                        .build());
        return HttpResponse.create().withStatus(200).withEntity(HttpEntities.createChunked(NDJSON, acks));
    }

    /** Whitespace only (spaces, tabs, a '\r' before the '\n'): skipped, without an answer line. */
    static boolean blank(ByteString line) {
        for (int i = 0; i < line.length(); i++) {
            byte b = line.apply(i);
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }

    /** The longest NDJSON line: a message of the node's max-message-size, base64-encoded, with room for its fields. */
    private int maxLine() {
        return (int) Math.min(Integer.MAX_VALUE - 1, services.settings().topic().maxMessageSize() * 4 / 3 + 65_536);
    }

    /** A parsed input line: the message, or the error to answer it with. */
    private record Line(long number, Bodies.Message message, ApiException error) {}

    private Line parseLine(ByteString bytes, long number) {
        if (bytes == NdjsonLines.TOO_LONG)
            return new Line(number, null, new ApiException(413, "line_too_long", "line " + number + " is longer than " + maxLine()
                    + " bytes (max-message-size x 4/3 + 64 KiB); the stream ends here: send that message by itself or raise ferry.topic.max-message-size"));
        try {
            return new Line(number, Json.parse(bytes.toArray(), Bodies.Message.class, "line " + number), null);
        } catch (ApiException e) {
            return new Line(number, null, e);
        }
    }

    private CompletionStage<List<ByteString>> sendLines(String topic, List<Line> lines) {
        return sender.topicForSend(topic, t -> lines.stream().anyMatch(l -> l.error() == null && accepts(() -> {
            toStored(t, l.message(), "line " + l.number(), 0);
            sender.chooseQueue(t, l.message().queue(), l.message().shardingKey(), "line " + l.number() + ".queue");
        }))).thenCompose(t -> {
            ByteString[] out = new ByteString[lines.size()];
            List<StoredMessage> messages = new ArrayList<>();
            List<Integer> queues = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < lines.size(); i++) {
                Line l = lines.get(i);
                try {
                    if (l.error() != null) throw l.error();
                    String where = "line " + l.number();
                    StoredMessage m = toStored(t, l.message(), where, now);
                    queues.add(sender.chooseQueue(t, l.message().queue(), l.message().shardingKey(), where + ".queue"));
                    messages.add(m);
                    slots.add(i);
                } catch (ApiException e) {
                    FerryMetrics.BAD_REQUESTS.labels(e.error()).inc();
                    countRefused(e);
                    out[i] = line(Responses.map("error", e.error(), "status", e.status(), "detail", e.detail(), "line", l.number()));
                }
            }
            if (messages.isEmpty()) return CompletableFuture.completedFuture(List.of(out));
            return sender.send(t, queues.stream().mapToInt(Integer::intValue).toArray(), messages).handle((acks, e) -> {
                for (int k = 0; k < slots.size(); k++) {
                    if (e == null) {
                        Sender.Ack a = acks.get(k);
                        out[slots.get(k)] = ByteString.fromArray(ackLine(a));
                    } else {
                        RuntimeException r = Sender.translate(e);
                        ApiException api = r instanceof ApiException x ? x : ApiException.unavailable(String.valueOf(r.getMessage()));
                        countRefused(api);
                        out[slots.get(k)] = line(Responses.map("error", api.error(), "status", api.status(), "detail", api.detail(), "line", lines.get(slots.get(k)).number()));
                    }
                }
                return List.of(out);
            });
        }).exceptionally(e -> {
            RuntimeException r = Sender.translate(e);
            ApiException api = r instanceof ApiException x ? x : ApiException.unavailable(String.valueOf(r.getMessage()));
            List<ByteString> out = new ArrayList<>();
            for (Line l : lines) {
                countRefused(api);
                out.add(line(Responses.map("error", api.error(), "status", api.status(), "detail", api.detail(), "line", l.number())));
            }
            return out;
        });
    }

    private static byte[] ackLine(Sender.Ack a) {
        return ("{\"messageId\":\"" + a.messageId() + "\",\"queue\":" + a.queue() + ",\"offset\":" + a.offset() + "}\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static ByteString line(Object value) {
        try {
            return ByteString.fromArray(Json.MAPPER.writeValueAsBytes(value)).concat(ByteString.fromString("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- read

    CompletionStage<HttpResponse> read(String topic, String queueSegment, Map<String, String> params) {
        TopicApi.checkName(topic);
        long offset = longParam(params, "offset", 0, 0, Long.MAX_VALUE);
        int max = (int) longParam(params, "max", 32, 1, maxRead);
        long bytes = maxBytesParam(params, maxBytes);
        long waitMs = longParam(params, "waitMs", 0, 0, maxWaitMs);
        TagFilter filter = TagFilter.parse(params.get("tags"));
        int queue = queueId(queueSegment);
        boolean fromReplica = readFromReplica(params.get("readFrom"));
        return sender.topic(topic).thenCompose(t -> {
            if (queue >= t.settings().queues())
                throw new ApiException(404, "queue_not_found", "topic " + topic + " has queues 0.." + (t.settings().queues() - 1) + ", not " + queue);
            Duration timeout = services.settings().http().askTimeout().plusMillis(waitMs);
            int replica = fromReplica ? inSyncReplica(t, queue) : 0;
            if (replica > 0)
                // A replica serves what it holds up to the committed offset it last heard from the master (which comes
                // with shipments and probes: a long poll there answers up to one probe-interval later than the master's).
                return Asks.on(services.system().executionContext(), services.sharding().entityRefFor(Replica.TYPE_KEY, Replica.entityId(topic, queue, replica))
                        .<QueueEntity.ReadReply>ask(r -> new Replica.Read(offset, max, bytes, filter, 0, waitMs, r), timeout));
            return Asks.on(services.system().executionContext(), sender.queueRef(topic, queue).<QueueEntity.ReadReply>ask(r -> new QueueEntity.Read(offset, max, bytes, filter, waitMs, r), timeout));
        }).thenApply(reply -> {
            if (reply instanceof QueueEntity.ReadRejected r) throw new ApiException(r.status(), r.error(), r.detail());
            QueueEntity.Messages m = (QueueEntity.Messages) reply;
            FerryMetrics.MESSAGES_READ.labels(topic).inc(m.messages().size());
            return Responses.json(200, renderRead(topic, m));
        });
    }

    private static boolean readFromReplica(String readFrom) {
        if (readFrom == null || readFrom.isEmpty() || readFrom.equals("master")) return false;
        if (readFrom.equals("replica")) return true;
        throw ApiException.badRequest("invalid_parameter", "readFrom must be master or replica, was \"" + readFrom + "\"");
    }

    /**
     * The in-sync replica slot to read from: one on this node if there is one (no network hop), else the lowest;
     * 0 (the master) when no replica is in sync.
     */
    private int inSyncReplica(TopicState t, int queue) {
        var route = t.queues().get(queue);
        String self = services.settings().node().name();
        int chosen = 0;
        for (int copy : route.inSync()) {
            if (copy == route.master()) continue;
            if (self.equals(route.nodes().get(copy))) return copy;
            if (chosen == 0) chosen = copy;
        }
        return chosen;
    }

    private static byte[] renderRead(String topic, QueueEntity.Messages m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + m.messages().size() * 256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("topic", topic);
            g.writeNumberField("queue", m.queueId());
            g.writeNumberField("minOffset", m.minOffset());
            g.writeNumberField("maxOffset", m.maxOffset());
            g.writeNumberField("nextOffset", m.nextOffset());
            g.writeStringField("status", m.status().json());
            g.writeStringField("servedBy", m.copy() == 0 ? "master" : "replica");
            g.writeNumberField("copy", m.copy());
            g.writeArrayFieldStart("messages");
            for (QueueMessage qm : m.messages()) MessageJson.write(g, qm, null);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static int queueId(String segment) {
        try {
            int q = Integer.parseInt(segment);
            if (q < 0) throw new NumberFormatException();
            return q;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_parameter", "queue must be a queue id (a non-negative integer), was \"" + segment + "\"");
        }
    }

    /**
     * The {@code maxBytes} parameter: lowers the node's byte budget of a read ({@code nodeMax}, ferry.http.max-bytes-per-read);
     * a larger value means the node's.
     */
    static long maxBytesParam(Map<String, String> params, long nodeMax) {
        return Math.min(nodeMax, longParam(params, "maxBytes", nodeMax, 1, Long.MAX_VALUE));
    }

    static long longParam(Map<String, String> params, String name, long dflt, long min, long max) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            long x = Long.parseLong(v.trim());
            if (x < min || x > max) throw ApiException.badRequest("invalid_parameter", name + " must be between " + min + " and " + max + ", was " + x);
            return x;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_parameter", name + " must be an integer, was \"" + v + "\"");
        }
    }
}
