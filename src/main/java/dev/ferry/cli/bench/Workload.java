package dev.ferry.cli.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What every producer of one run sends: the node, the topic, and prebuilt payloads. Payloads are printable
 * ASCII so the same bytes serve as a raw body and, unescaped, as a JSON string in batch and NDJSON bodies.
 */
record Workload(URI url, String topic, int messageSize, int batchSize, int window, byte[] payload) {

    static Workload of(URI url, String topic, int messageSize, int batchSize, int window) {
        byte[] payload = new byte[messageSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return new Workload(url, topic, messageSize, batchSize, window, payload);
    }

    String topicPath() {
        return "/topics/" + java.net.URLEncoder.encode(topic, StandardCharsets.UTF_8);
    }

    /** One NDJSON line, newline included. */
    byte[] ndjsonLine() {
        return ("{\"body\":\"" + new String(payload, StandardCharsets.US_ASCII) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A batch request body of {@code count} messages. */
    byte[] batchBody(int count) {
        String element = "{\"body\":\"" + new String(payload, StandardCharsets.US_ASCII) + "\"}";
        StringBuilder b = new StringBuilder(16 + count * (element.length() + 1)).append("{\"messages\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(element);
        }
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
