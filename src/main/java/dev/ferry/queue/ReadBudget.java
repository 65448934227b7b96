package dev.ferry.queue;

/**
 * What one read may return: at most {@code maxMessages}, and messages only while their bytes stay within
 * {@code maxBytes} — except the first, which is always taken, so a message larger than the budget is still delivered
 * (Kafka's fetch.max.bytes rule). Without the byte bound a read of many large messages held them all, and their JSON,
 * in the node's heap at once. Not thread-safe: one per read.
 */
public final class ReadBudget {
    private final int maxMessages;
    private final long maxBytes;
    private int taken;
    private long bytes;
    private boolean refused;

    public ReadBudget(int maxMessages, long maxBytes) {
        if (maxMessages < 1 || maxBytes < 1) throw new IllegalArgumentException("a read must be allowed at least one message and one byte");
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** The size a message counts for: what it weighs in memory (body plus a small per-message overhead). */
    public static long size(StoredMessage m) {
        return m.weight();
    }

    /** Takes {@code m} if it fits (the first message always fits); false, and full from then on, if it does not. */
    public boolean tryTake(StoredMessage m) {
        if (full()) return false;
        long size = size(m);
        if (taken > 0 && bytes + size > maxBytes) {
            refused = true;
            return false;
        }
        taken++;
        bytes += size;
        return true;
    }

    /** No further message fits: the read stops here and continues after the last message taken. */
    public boolean full() {
        return refused || taken >= maxMessages;
    }

    public int messagesLeft() {
        return full() ? 0 : maxMessages - taken;
    }

    public int taken() {
        return taken;
    }

    /** Bytes still free; the next message is taken only if it needs no more (or if nothing was taken yet). */
    public long bytesLeft() {
        return Math.max(0, maxBytes - bytes);
    }
}
