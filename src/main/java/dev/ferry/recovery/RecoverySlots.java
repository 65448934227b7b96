package dev.ferry.recovery;

import java.util.function.IntSupplier;

/**
 * The live count of one node's recoveries in one direction (incoming: this node's replicas copying a log;
 * outgoing: this node's masters serving one), held for as long as the recovery stream runs, against a limit that
 * may change at run time ({@code ferry.allocation.node-concurrent-incoming-recoveries} /
 * {@code -outgoing-recoveries}). The allocator paces what it starts; this is what the data path enforces.
 *
 * <p>Thread-safe (synchronized).
 */
public final class RecoverySlots {

    private final IntSupplier limit;
    private int inUse;
    private int maxInUse;
    private long acquired;
    private long refused;

    /** @param limit the current limit; read on every acquire (0 or less: no recovery may start) */
    public RecoverySlots(IntSupplier limit) {
        this.limit = limit;
    }

    /** Takes a slot if fewer than the limit are in use. */
    public synchronized boolean tryAcquire() {
        if (inUse >= limit.getAsInt()) {
            refused++;
            return false;
        }
        inUse++;
        acquired++;
        maxInUse = Math.max(maxInUse, inUse);
        return true;
    }

    /** Gives a slot back; every successful {@link #tryAcquire} is released exactly once. */
    public synchronized void release() {
        if (inUse == 0) throw new IllegalStateException("release without a matching acquire");
        inUse--;
    }

    public synchronized int inUse() {
        return inUse;
    }

    /** The most slots ever held at once. */
    public synchronized int maxInUse() {
        return maxInUse;
    }

    public synchronized long acquired() {
        return acquired;
    }

    /** Acquire attempts turned away because the limit was reached. */
    public synchronized long refused() {
        return refused;
    }

    public int limit() {
        return limit.getAsInt();
    }
}
