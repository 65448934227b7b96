package dev.ferry.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binary search behind offsets by time, over a queue held in an array: the first offset accepted at or after the
 * time, the end when every message is older, the first retained offset when the time is before it.
 */
class OffsetSearchTest {

    /** A queue whose message at offset o was accepted at bornAt[o - min]; reads below min return the message at min. */
    private static final class Queue {
        long min;
        final long[] bornAt;
        final AtomicInteger reads = new AtomicInteger();
        Runnable onRead = () -> {};

        Queue(long min, long... bornAt) {
            this.min = min;
            this.bornAt = bornAt;
        }

        long max() {
            return min + bornAt.length;
        }

        CompletionStage<OffsetSearch.Probe> read(long offset) {
            reads.incrementAndGet();
            onRead.run();
            long at = Math.max(offset, min);
            if (at >= max()) return CompletableFuture.completedFuture(new OffsetSearch.Probe(min, max(), -1, 0));
            return CompletableFuture.completedFuture(new OffsetSearch.Probe(min, max(), at, bornAt[(int) (at - min)]));
        }

        long search(long timestamp) {
            return OffsetSearch.search(timestamp, this::read).toCompletableFuture().join().offset();
        }
    }

    @Test
    void findsTheFirstOffsetAcceptedAtOrAfterTheTime() {
        Queue q = new Queue(0, 100, 200, 200, 300, 400, 500);
        assertEquals(1, q.search(200));
        assertEquals(3, q.search(201));
        assertEquals(5, q.search(500));
    }

    @Test
    void aTimeAfterEveryMessageGivesTheEndOfTheQueue() {
        Queue q = new Queue(0, 100, 200, 300);
        assertEquals(3, q.search(301));
    }

    @Test
    void aTimeBeforeTheFirstRetainedMessageGivesTheFirstRetainedOffset() {
        Queue q = new Queue(40, 1000, 2000, 3000);
        assertEquals(40, q.search(5));
        assertEquals(1, q.reads.get(), "the first read already shows the answer");
    }

    @Test
    void anEmptyQueueGivesOffsetZero() {
        assertEquals(0, new Queue(0).search(12345));
    }

    @Test
    void readsAboutLogTwoOfTheQueueLength() {
        long[] times = new long[1_000_000];
        for (int i = 0; i < times.length; i++) times[i] = 10L * i;
        Queue q = new Queue(0, times);
        assertEquals(123_457, q.search(1_234_565));
        assertTrue(q.reads.get() <= 22, "reads: " + q.reads.get());
    }

    @Test
    void retentionRemovingTheOlderEndDuringTheSearchMovesItAbove() {
        long[] times = new long[100];
        for (int i = 0; i < times.length; i++) times[i] = i;
        Queue q = new Queue(0, times);
        // After the first read, offsets below 60 are gone (their times no longer count).
        Queue shifted = new Queue(60, java.util.Arrays.copyOfRange(times, 60, 100));
        AtomicInteger n = new AtomicInteger();
        long found = OffsetSearch.search(10, offset -> n.getAndIncrement() == 0 ? q.read(offset) : shifted.read(offset))
                .toCompletableFuture().join().offset();
        assertEquals(60, found);
    }
}
