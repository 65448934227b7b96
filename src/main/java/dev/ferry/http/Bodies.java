package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** The JSON request bodies of the API (see docs/http-api.md); every field is optional unless the route says so. */
final class Bodies {
    private Bodies() {}

    record CreateTopic(Integer queues, Integer replicas, String replication, String flush, Long maxMessageSize,
                       Map<String, String> settings) {}

    record PatchSettings(Integer queues, Integer replicas, String replication, String flush, Long maxMessageSize,
                         Map<String, String> settings) {}

    /**
     * One message of a batch or a streaming line. {@code tags}/{@code keys}: an array of strings or one
     * comma-separated string.
     */
    record Message(String body, String bodyBase64, JsonNode tags, JsonNode keys, String shardingKey, Integer queue,
                   Map<String, String> properties) {}

    record Batch(List<Message> messages) {}

    record Pull(String topic, String consumer, String session, Integer max, Long maxBytes, Long waitMs, String tags) {}

    record Leave(String topic, String consumer, String session) {}

    record Commit(String topic, Integer queue, Long offset) {}

    record Reset(String topic, String to, JsonNode timestamp, Long offset, List<Integer> queues, Boolean dryRun) {}

    record ClusterSettings(Map<String, JsonNode> persistent) {}
}
