package dev.ferry.recovery;

import java.util.function.LongSupplier;

/**
 * The node-wide cap on peer-recovery traffic (Elasticsearch {@code indices.recovery.max_bytes_per_sec}): a token
 * bucket of {@code burstBytes} refilled at {@code bytesPerSecond}, shared by every recovery stream of the node.
 * A sender {@link #reserve reserves} a chunk's bytes and waits the returned time before sending it, so however many
 * streams share the bucket, the bytes sent by time t never exceed {@code burstBytes + bytesPerSecond * (t - start)}.
 * A rate of 0 or less means unthrottled (reservations never wait, bytes are still counted).
 *
 * <p>The rate can change at any time ({@link #setRate}, a dynamic cluster setting), and a sender that is already
 * waiting follows it: {@link #claim} hands out a position in the bucket's refill, and {@link #nanosUntil} says how long
 * until the refill reaches it <em>at the rate of now</em> — a sender that asks again after a change waits the new time.
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
    /** Bytes claimed while throttled; {@code tokens + claimed} is how far the refill has come (positions are paid below it). */
    private long claimed;

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
     * sending them, in nanoseconds: 0 while the bucket holds enough. The wait is fixed at the rate of now; a caller
     * that should follow later rate changes uses {@link #claim} and {@link #nanosUntil} instead.
     */
    public synchronized long reserve(long bytes) {
        return nanosUntil(claim(bytes));
    }

    /**
     * Takes {@code bytes} from the bucket (it may go into debt) and returns their position: the caller may send them
     * once {@link #nanosUntil nanosUntil(position)} is 0.
     */
    public synchronized long claim(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        grantedBytes += bytes;
        if (bytesPerSecond <= 0) return claimed; // paid: while unthrottled the bucket stays full
        refill();
        tokens -= bytes;
        claimed += bytes;
        if (tokens < 0) throttledNanos += (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
        return claimed;
    }

    /** How long until the bytes claimed at {@code position} may be sent, at the current rate: 0 = now. */
    public synchronized long nanosUntil(long position) {
        if (bytesPerSecond <= 0) return 0;
        refill();
        double missing = position - (tokens + claimed);
        return missing <= 0 ? 0 : (long) Math.ceil(missing * 1e9 / bytesPerSecond);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burstBytes, tokens + elapsed * (double) bytesPerSecond / 1e9);
            lastRefill = now;
        }
    }

    /**
     * Changes the rate (and burst) from now on: what was refilled so far stays, what is still missing refills at the
     * new rate ({@link #nanosUntil} answers accordingly; waits {@link #reserve} handed out stay as they were). Turning
     * the throttle off forgives the debt and fills the bucket, so every claimed position is paid at once.
     */
    public synchronized void setRate(long bytesPerSecond, long burstBytes) {
        if (burstBytes <= 0) throw new IllegalArgumentException("burstBytes must be > 0, was " + burstBytes);
        if (this.bytesPerSecond > 0) refill();
        else lastRefill = nanoClock.getAsLong(); // no refill accrues while unthrottled
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = bytesPerSecond <= 0 ? burstBytes : Math.min(tokens, burstBytes);
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
