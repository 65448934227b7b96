package dev.ferry.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest messages of a queue, bounded by bytes, so consumers that keep up (and long polls) are served from
 * memory. Not thread-safe: owned by one actor.
 */
final class TailCache {
    private final long maxBytes;
    private final ArrayDeque<QueueMessage> messages = new ArrayDeque<>();
    private long bytes;

    TailCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(QueueMessage m) {
        messages.addLast(m);
        bytes += m.message().weight();
        while (bytes > maxBytes && messages.size() > 1) bytes -= messages.removeFirst().message().weight();
    }

    /** The lowest offset held, or -1 when empty. */
    long firstOffset() {
        return messages.isEmpty() ? -1 : messages.peekFirst().offset();
    }

    boolean covers(long offset) {
        return !messages.isEmpty() && offset >= messages.peekFirst().offset();
    }

    /**
     * The messages at or after {@code offset} and below {@code endExclusive} (the committed offset) that match
     * {@code filter}, in offset order, as many as {@code budget} takes.
     */
    List<QueueMessage> read(long offset, ReadBudget budget, TagFilter filter, long endExclusive) {
        List<QueueMessage> out = new ArrayList<>();
        if (messages.isEmpty()) return out;
        long first = messages.peekFirst().offset();
        Iterator<QueueMessage> it = messages.iterator();
        // ArrayDeque has no random access: skip by counting; offsets are contiguous inside the cache.
        for (long skip = Math.max(0, offset - first); skip > 0 && it.hasNext(); skip--) it.next();
        while (it.hasNext() && !budget.full()) {
            QueueMessage m = it.next();
            if (m.offset() >= endExclusive) break;
            if (filter.matches(m.message()) && budget.tryTake(m.message())) out.add(m);
        }
        return out;
    }
}
