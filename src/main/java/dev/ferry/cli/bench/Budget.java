package dev.ferry.cli.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much a bench run may still send: a message count, a deadline, or both. Workers claim messages before
 * sending them; a claim of 0 means the run is over. Thread-safe.
 */
final class Budget {

    private final AtomicLong remaining;
    private final long deadlineNanos;
    private volatile boolean stopped;

    /** @param messages the total to send, or 0 for no limit; @param deadlineNanos a System.nanoTime() deadline, or Long.MAX_VALUE */
    Budget(long messages, long deadlineNanos) {
        this.remaining = new AtomicLong(messages > 0 ? messages : Long.MAX_VALUE);
        this.deadlineNanos = deadlineNanos;
    }

    /** Claims up to {@code wanted} messages; returns how many were granted, 0 when the run is over. */
    int claim(int wanted) {
        if (stopped || System.nanoTime() - deadlineNanos >= 0) {
            return 0;
        }
        while (true) {
            long r = remaining.get();
            if (r <= 0) {
                return 0;
            }
            int granted = (int) Math.min(wanted, r);
            if (remaining.compareAndSet(r, r - granted)) {
                return granted;
            }
        }
    }

    /** Ends the run early (Ctrl-C, a fatal error); workers finish what is in flight. */
    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }
}
