package dev.ferry.cli.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * The few facts the drain bench needs from a page of messages, read with Jackson's streaming parser so the
 * client does not build a tree for a megabyte of payloads: each message's queue, offset and payload bytes, in the
 * order the node sent them, and the page's {@code nextOffset}. Field names follow docs/http-api.md.
 */
record MessagePage(int count, int[] queues, long[] offsets, int[] bytes, long nextOffset) {

    private static final JsonFactory FACTORY = new JsonFactory();

    static MessagePage parse(byte[] json) throws IOException {
        int count = 0;
        long nextOffset = -1;
        int pageQueue = -1;
        int[] queues = new int[16];
        long[] offsets = new long[16];
        int[] bytes = new int[16];
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
                        int size = 0;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            switch (f) {
                                case "queue" -> queue = p.getIntValue();
                                case "offset" -> offset = p.getLongValue();
                                case "body", "bodyBase64" -> size += p.getTextLength();
                                default -> p.skipChildren();
                            }
                        }
                        if (count == queues.length) {
                            queues = Arrays.copyOf(queues, count * 2);
                            offsets = Arrays.copyOf(offsets, count * 2);
                            bytes = Arrays.copyOf(bytes, count * 2);
                        }
                        queues[count] = queue;
                        offsets[count] = offset;
                        bytes[count] = size;
                        count++;
                    }
                } else if ("queue".equals(field) && v.isNumeric()) {
                    pageQueue = p.getIntValue(); // a queue read names its queue once, for every message
                } else if ("nextOffset".equals(field) && v.isNumeric()) {
                    nextOffset = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        for (int i = 0; i < count; i++) {
            if (queues[i] < 0) {
                queues[i] = pageQueue;
            }
        }
        return new MessagePage(count, Arrays.copyOf(queues, count), Arrays.copyOf(offsets, count), Arrays.copyOf(bytes, count), nextOffset);
    }
}
