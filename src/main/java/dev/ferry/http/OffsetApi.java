package dev.ferry.http;

import akka.http.javadsl.model.HttpResponse;
import dev.ferry.broker.TopicState;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.TagFilter;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Offsets by time: {@code GET /topics/{t}/queues/{q}/offset?timestamp=T} and {@code GET /topics/{t}/offsets?timestamp=T}
 * (RocketMQ {@code searchOffset}, Kafka {@code offsetsForTimes}), so a consumer can start, or a group be reset, at a
 * moment rather than an offset.
 */
final class OffsetApi {
    private final Services services;
    private final Sender sender;

    OffsetApi(Services services, Sender sender) {
        this.services = services;
        this.sender = sender;
    }

    CompletionStage<HttpResponse> queue(String topic, String queueSegment, Map<String, String> params) {
        TopicApi.checkName(topic);
        long timestamp = timestamp(params);
        int queue = MessageApi.queueId(queueSegment);
        return sender.topic(topic).thenCompose(t -> {
            if (queue >= t.settings().queues())
                throw new ApiException(404, "queue_not_found", "topic " + topic + " has queues 0.." + (t.settings().queues() - 1) + ", not " + queue);
            return search(topic, queue, timestamp);
        }).thenApply(found -> Responses.json(200, Responses.map("topic", topic, "queue", queue, "timestamp", timestamp,
                "offset", found.offset(), "minOffset", found.minOffset(), "maxOffset", found.maxOffset())));
    }

    CompletionStage<HttpResponse> topic(String topic, Map<String, String> params) {
        TopicApi.checkName(topic);
        long timestamp = timestamp(params);
        return sender.topic(topic).thenCompose((TopicState t) -> {
            List<CompletableFuture<OffsetSearch.Found>> each = new ArrayList<>();
            for (int q = 0; q < t.settings().queues(); q++) each.add(search(topic, q, timestamp).toCompletableFuture());
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<Object> queues = new ArrayList<>();
                for (int q = 0; q < each.size(); q++) {
                    OffsetSearch.Found f = each.get(q).join();
                    queues.add(Responses.map("queue", q, "offset", f.offset(), "minOffset", f.minOffset(), "maxOffset", f.maxOffset()));
                }
                return Responses.json(200, Responses.map("topic", topic, "timestamp", timestamp, "queues", queues));
            });
        });
    }

    /** The queue's lowest retained offset and its end now (a one-message read at offset 0 tells both). */
    CompletionStage<OffsetSearch.Found> bounds(String topic, int queue) {
        return probe(topic, queue, 0).thenApply(p -> new OffsetSearch.Found(p.minOffset(), p.minOffset(), p.maxOffset()));
    }

    CompletionStage<OffsetSearch.Found> search(String topic, int queue, long timestamp) {
        return OffsetSearch.search(timestamp, offset -> probe(topic, queue, offset));
    }

    private CompletionStage<OffsetSearch.Probe> probe(String topic, int queue, long offset) {
        Duration timeout = services.settings().http().askTimeout();
        return Asks.inline(sender.queueRef(topic, queue)
                        .<QueueEntity.ReadReply>ask(r -> new QueueEntity.Read(offset, 1, 1, TagFilter.ALL, 0, r), timeout))
                .thenApply(reply -> {
                    if (reply instanceof QueueEntity.ReadRejected r) throw new ApiException(r.status(), r.error(), r.detail());
                    QueueEntity.Messages m = (QueueEntity.Messages) reply;
                    if (m.messages().isEmpty()) return new OffsetSearch.Probe(m.minOffset(), m.maxOffset(), -1, 0);
                    var first = m.messages().get(0);
                    return new OffsetSearch.Probe(m.minOffset(), m.maxOffset(), first.offset(), first.message().bornAt());
                });
    }

    /** {@code timestamp}: epoch milliseconds, or an ISO-8601 instant such as 2026-11-23T10:00:00Z (an offset like +01:00 too). */
    static long timestamp(Map<String, String> params) {
        return timestamp(params.get("timestamp"), "invalid_parameter", "timestamp");
    }

    /** @param error the error code of a bad value; @param what how the answer names the value */
    static long timestamp(String v, String error, String what) {
        if (v == null || v.isBlank())
            throw ApiException.badRequest(error, what + " is required: epoch milliseconds or an ISO-8601 time such as 2026-11-23T10:00:00Z");
        v = v.trim();
        try {
            long millis = Long.parseLong(v);
            if (millis < 0) throw ApiException.badRequest(error, what + " must be epoch milliseconds (0 or more) or an ISO-8601 time such as 2026-11-23T10:00:00Z, was " + millis);
            return millis;
        } catch (NumberFormatException notMillis) {
            try {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                try {
                    return Instant.parse(v).toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e2) {
                    throw ApiException.badRequest(error, what + " must be epoch milliseconds or an ISO-8601 time with a zone "
                            + "such as 2026-11-23T10:00:00Z, was \"" + v + "\"");
                }
            }
        }
    }
}
