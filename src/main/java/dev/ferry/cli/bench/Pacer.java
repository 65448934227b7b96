package dev.ferry.cli.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A global send schedule for {@code --rate}: message i is due at start + i / rate. A worker asks for the due
 * time of the messages it is about to send and waits for it. Latency is measured from the due time, not from
 * the moment the worker got round to sending, so a stalled node shows up in the percentiles instead of merely
 * slowing the load down (no coordinated omission). Without a rate every message is due when it is sent.
 */
final class Pacer {

    private final long intervalNanos;
    private final AtomicLong next;

    /** @param ratePerSecond messages per second over all workers; 0 = as fast as acknowledgements allow */
    Pacer(double ratePerSecond, long startNanos) {
        this.intervalNanos = ratePerSecond > 0 ? Math.max(1, (long) (1e9 / ratePerSecond)) : 0;
        this.next = new AtomicLong(startNanos);
    }

    /** Reserves the next {@code count} messages and returns the due time of the first, without waiting. */
    long reserve(int count) {
        if (intervalNanos == 0) {
            return System.nanoTime();
        }
        return next.getAndAdd(intervalNanos * count);
    }

    /** Waits until {@code count} more messages are due and returns the due time of the first. */
    long awaitDue(int count) {
        if (intervalNanos == 0) {
            return System.nanoTime();
        }
        long due = next.getAndAdd(intervalNanos * count);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
        return due;
    }
}
