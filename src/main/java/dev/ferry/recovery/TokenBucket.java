package dev.ferry.recovery;

import java.util.function.LongSupplier;

/**
 * The node-wide cap on peer-recovery traffic (Elasticsearch {@code indices.recovery.max_bytes_per_sec}): a token
 * bucket of {@code burstBytes} refilled at {@code bytesPerSecond}, shared by every recovery stream of the node.
 * A sender {@link #reserve reserves} a chunk's bytes and waits the returned time before sending it, so however many
 * streams share the bucket, the bytes sent by time t never exceed {@code burstBytes + bytesPerSecond * (t - start)}.
 * A rate of 0 or less means unthrottled (reservations never wait, bytes are still counted).
 *
 * <p>Thread-safe (synchronized); time comes from an injected nanosecond clock.
 */
public final class TokenBucket {

    private final LongSupplier nanoClock;
    private long bytesPerSecond;
    private long burstBytes;
    private double tokens;
    private long lastRefill;
    private long grantedBytes;
    private long throttledNanos;

    /**
     * @param bytesPerSecond refill rate; 0 or negative = unthrottled
     * @param burstBytes     bucket size (at least one chunk, or a chunk would wait longer than its own share)
     * @param nanoClock      e.g. {@code System::nanoTime}
     */
    public TokenBucket(long bytesPerSecond, long burstBytes, LongSupplier nanoClock) {
        if (burstBytes <= 0) throw new IllegalArgumentException("burstBytes must be > 0, was " + burstBytes);
        this.nanoClock = nanoClock;
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
        this.lastRefill = nanoClock.getAsLong();
    }

    /**
     * Takes {@code bytes} from the bucket (it may go into debt) and returns how long the caller must wait before
     * sending them, in nanoseconds: 0 while the bucket holds enough.
     */
    public synchronized long reserve(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        grantedBytes += bytes;
        if (bytesPerSecond <= 0) return 0;
        refill();
        tokens -= bytes;
        if (tokens >= 0) return 0;
        long wait = (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
        throttledNanos += wait;
        return wait;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burstBytes, tokens + elapsed * (double) bytesPerSecond / 1e9);
            lastRefill = now;
        }
    }

    /** Changes the rate (and burst) from now on; bytes already reserved keep their waits. */
    public synchronized void setRate(long bytesPerSecond, long burstBytes) {
        if (burstBytes <= 0) throw new IllegalArgumentException("burstBytes must be > 0, was " + burstBytes);
        refill();
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = Math.min(tokens, burstBytes);
    }

    public synchronized long bytesPerSecond() {
        return bytesPerSecond;
    }

    public synchronized long burstBytes() {
        return burstBytes;
    }

    /** Every byte ever reserved (what recoveries of this node sent or received through the bucket). */
    public synchronized long grantedBytes() {
        return grantedBytes;
    }

    /** Total wait handed out: how much the cap slowed recoveries down. */
    public synchronized long throttledNanos() {
        return throttledNanos;
    }
}
