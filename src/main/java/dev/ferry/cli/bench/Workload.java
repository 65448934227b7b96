package dev.ferry.cli.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What a producer of one run sends: the node, the topic, the queue (-1: the node picks, round robin) and prebuilt
 * payloads. Payloads are printable ASCII so the same bytes serve as a raw body and, unescaped, as a JSON string in
 * batch and NDJSON bodies.
 */
record Workload(URI url, String topic, int queue, int messageSize, int batchSize, int window, byte[] payload) {

    static Workload of(URI url, String topic, int messageSize, int batchSize, int window) {
        byte[] payload = new byte[messageSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return new Workload(url, topic, -1, messageSize, batchSize, window, payload);
    }

    /** The same messages, all for {@code queue}, sent to the node at {@code url} (its master's, for a routed run). */
    Workload to(URI url, int queue) {
        return new Workload(url, topic, queue, messageSize, batchSize, window, payload);
    }

    /** Extra request headers of a single send: the queue, when this workload names one. */
    String singleSendHeaders() {
        return queue < 0 ? "" : "Ferry-Queue: " + queue + "\r\n";
    }

    String topicPath() {
        return "/topics/" + java.net.URLEncoder.encode(topic, StandardCharsets.UTF_8);
    }

    /** One NDJSON line, newline included. */
    byte[] ndjsonLine() {
        return (element() + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A batch request body of {@code count} messages. */
    byte[] batchBody(int count) {
        String element = element();
        StringBuilder b = new StringBuilder(16 + count * (element.length() + 1)).append("{\"messages\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(element);
        }
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** One message as a batch element or NDJSON line (without the newline). */
    private String element() {
        return "{" + (queue < 0 ? "" : "\"queue\":" + queue + ",") + "\"body\":\"" + new String(payload, StandardCharsets.US_ASCII) + "\"}";
    }
}
