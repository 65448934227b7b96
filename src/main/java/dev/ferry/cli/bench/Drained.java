package dev.ferry.cli.bench;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a drain has read so far: each (queue, offset) counts toward progress once, however often it is delivered (a
 * consumer group redelivers what a consumer had not committed when the queues were rebalanced), and never more than
 * the run's message count ({@code --messages}, else the backlog). Readers claim messages before a read and ask for no
 * more than they claimed, then {@link #count} the page, which hands unused claims back. Thread-safe.
 */
final class Drained {

    /** Offsets seen per queue, relative to the queue's first offset at the start (one bit a message). */
    private final Map<Integer, BitSet> seen = new HashMap<>();
    private final Map<Integer, Long> firstOffsets;
    private volatile boolean stopped;
    private final AtomicLong remaining;
    /** Claimed and not yet counted or handed back: a reader that gets no claim waits for these before it stops. */
    private final AtomicLong outstanding = new AtomicLong();

    /** @param firstOffsets each queue's first offset to drain; @param target how many distinct messages to read */
    Drained(Map<Integer, Long> firstOffsets, long target) {
        this.firstOffsets = firstOffsets;
        this.remaining = new AtomicLong(target);
    }

    /** Claims up to {@code wanted} messages to read; 0 when the run has read all it should. */
    int claim(int wanted) {
        while (true) {
            long r = remaining.get();
            if (r <= 0 || stopped) {
                return 0;
            }
            int granted = (int) Math.min(wanted, r);
            if (remaining.compareAndSet(r, r - granted)) {
                outstanding.addAndGet(granted);
                return granted;
            }
        }
    }

    /** Gives back a claim that no read will use. */
    void unclaim(int claimed) {
        remaining.addAndGet(claimed);
        outstanding.addAndGet(-claimed);
    }

    /**
     * Whether the run has read all it should: nothing left to claim and no claim that might yet be handed back. A
     * reader that got no claim keeps going until then (in a group, the messages still to read may be in its queues).
     */
    boolean done() {
        return stopped || remaining.get() <= 0 && outstanding.get() <= 0;
    }

    /** Ends the run: every later claim gets 0. */
    void stop() {
        stopped = true;
        remaining.set(0);
    }

    /** What one page added: the messages counted, the redelivered ones, and the messages kept (counted or redelivered). */
    record Counted(int messages, long payloadBytes, int redelivered, boolean[] kept) {}

    /**
     * Counts a page read under a claim of {@code claimed}: messages not seen before count, up to the claim (the rest
     * of the page is trimmed: not kept, so not committed); messages seen before are redeliveries. The unused part of
     * the claim is handed back.
     */
    Counted count(MessagePage page, int claimed) {
        int counted = 0;
        int redelivered = 0;
        long bytes = 0;
        boolean[] kept = new boolean[page.count()];
        synchronized (seen) {
            for (int i = 0; i < page.count(); i++) {
                int queue = page.queues()[i];
                long offset = page.offsets()[i];
                BitSet bits = seen.computeIfAbsent(queue, q -> new BitSet());
                int bit = (int) (offset - firstOffsets.getOrDefault(queue, 0L));
                boolean before = bit >= 0 && bits.get(bit);
                if (before) {
                    redelivered++;
                    kept[i] = true;
                } else if (counted < claimed) {
                    if (bit >= 0) {
                        bits.set(bit);
                    }
                    counted++;
                    bytes += page.bytes()[i];
                    kept[i] = true;
                }
            }
        }
        outstanding.addAndGet(-counted);
        if (counted < claimed) {
            unclaim(claimed - counted);
        }
        return new Counted(counted, bytes, redelivered, kept);
    }
}
