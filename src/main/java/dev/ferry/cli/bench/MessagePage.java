package dev.ferry.cli.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The few facts the drain bench needs from a page of messages, read with Jackson's streaming parser so the
 * client does not build a tree for a megabyte of payloads: how many messages, their payload bytes, and for
 * each queue seen the highest offset. Field names follow docs/http-api.md.
 */
record MessagePage(int count, long payloadBytes, long nextOffset, int[] queues, long[] lastOffsets) {

    private static final JsonFactory FACTORY = new JsonFactory();

    static MessagePage parse(byte[] json) throws IOException {
        int count = 0;
        long bytes = 0;
        long nextOffset = -1;
        int[] queues = new int[8];
        long[] last = new long[8];
        int distinct = 0;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("messages".equals(field) && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        int queue = -1;
                        long offset = -1;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken t = p.nextToken();
                            switch (f) {
                                case "queue" -> queue = p.getIntValue();
                                case "offset" -> offset = p.getLongValue();
                                case "body", "bodyBase64" -> bytes += p.getTextLength();
                                default -> p.skipChildren();
                            }
                        }
                        count++;
                        int i = 0;
                        while (i < distinct && queues[i] != queue) {
                            i++;
                        }
                        if (i == distinct) {
                            if (distinct == queues.length) {
                                queues = java.util.Arrays.copyOf(queues, distinct * 2);
                                last = java.util.Arrays.copyOf(last, distinct * 2);
                            }
                            queues[distinct] = queue;
                            last[distinct] = offset;
                            distinct++;
                        } else {
                            last[i] = Math.max(last[i], offset);
                        }
                    }
                } else if ("nextOffset".equals(field) && v.isNumeric()) {
                    nextOffset = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        return new MessagePage(count, bytes, nextOffset, java.util.Arrays.copyOf(queues, distinct), java.util.Arrays.copyOf(last, distinct));
    }
}
