package dev.ferry.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids (RocketMQ's UNIQ_KEY): 32 hex digits = node (8) + accept time in millis (12) + per-node counter (12).
 * Unique per cluster as long as node names are; time-ordered per node.
 */
final class MessageIds {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private final int node;
    private final AtomicLong counter = new AtomicLong();

    MessageIds(String nodeName) {
        this.node = nodeName.hashCode();
    }

    String next(long nowMillis) {
        char[] c = new char[32];
        put(c, 0, node & 0xFFFFFFFFL, 8);
        put(c, 8, nowMillis, 12);
        put(c, 20, counter.incrementAndGet(), 12);
        return new String(c);
    }

    private static void put(char[] c, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            c[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }
}
