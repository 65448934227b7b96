package dev.ferry.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;

/**
 * A queue's first offset whose message was accepted at or after a time (RocketMQ {@code searchOffset}, Kafka
 * {@code offsetsForTimes}), found by binary search over one-message reads, as RocketMQ searches its consume queue by
 * store time. It assumes acceptance times grow with offsets, which holds within a queue up to the clock differences
 * of the nodes that accepted its messages.
 */
final class OffsetSearch {

    /**
     * What a one-message read at an offset found.
     *
     * @param minOffset the queue's lowest retained offset now
     * @param maxOffset the end consumers may read to now
     * @param offset    the offset of the message the read returned, or -1 if it returned none
     * @param bornAt    that message's acceptance time (epoch millis)
     */
    record Probe(long minOffset, long maxOffset, long offset, long bornAt) {}

    /** The answer: {@code offset} in [minOffset, maxOffset]; maxOffset when every message is older than the time. */
    record Found(long offset, long minOffset, long maxOffset) {}

    /** Reads needed for 2^63 offsets, and some to spare for retention moving the lower end meanwhile. */
    private static final int MAX_PROBES = 96;

    private OffsetSearch() {}

    /**
     * @param read reads the message at an offset (or the first retained one after it)
     */
    static CompletionStage<Found> search(long timestamp, LongFunction<CompletionStage<Probe>> read) {
        return read.apply(0).thenCompose(first -> {
            long lo = first.minOffset();
            long hi = first.maxOffset();
            // The message at minOffset came with this read: most searches for a time before the queue's start end here.
            if (first.offset() == lo && first.bornAt() >= timestamp) return done(lo, first, hi);
            return step(lo, hi, timestamp, read, first, MAX_PROBES);
        });
    }

    private static CompletionStage<Found> step(long lo, long hi, long timestamp, LongFunction<CompletionStage<Probe>> read,
                                               Probe last, int probesLeft) {
        if (lo >= hi || probesLeft == 0) return done(lo, last, hi);
        long mid = lo + (hi - lo) / 2;
        return read.apply(mid).thenCompose(p -> {
            if (p.offset() < 0) return step(lo, mid, timestamp, read, p, probesLeft - 1); // nothing there any more
            if (p.offset() != mid) {
                // Retention removed mid meanwhile: the search goes on above what is still there.
                return step(Math.max(lo, Math.max(p.minOffset(), mid + 1)), Math.max(hi, p.minOffset()), timestamp, read, p, probesLeft - 1);
            }
            if (p.bornAt() >= timestamp) return step(lo, mid, timestamp, read, p, probesLeft - 1);
            return step(mid + 1, hi, timestamp, read, p, probesLeft - 1);
        });
    }

    private static CompletionStage<Found> done(long offset, Probe last, long hi) {
        long min = last.minOffset();
        long max = Math.max(last.maxOffset(), hi);
        return CompletableFuture.completedFuture(new Found(Math.max(offset, min), min, max));
    }
}
