package dev.ferry.recovery;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aFullBucketLetsOneBurstThroughWithoutWaiting() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        assertEquals(0, b.reserve(100_000));
    }

    @Test
    void bytesBeyondTheBurstWaitForTheirShareOfTheRate() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        b.reserve(100_000);
        assertEquals(500_000_000L, b.reserve(500_000)); // 0.5 MB at 1 MB/s
    }

    @Test
    void sendersThatWaitAsToldNeverExceedBurstPlusRateTimesElapsed() {
        long rate = 40L << 20, burst = 512 << 10;
        TokenBucket b = new TokenBucket(rate, burst, now::get);
        long start = now.get();
        long sent = 0;
        // Three streams sharing the bucket, chunks of different sizes, each sending when its wait is over.
        long[] nextSendAt = {start, start, start};
        int[] chunk = {512 << 10, 64 << 10, 300 << 10};
        for (int i = 0; i < 3000; i++) {
            int s = i % 3;
            now.set(Math.max(now.get(), nextSendAt[s]));
            long wait = b.reserve(chunk[s]);
            long sendAt = now.get() + wait;
            sent += chunk[s];
            double allowed = burst + rate * ((sendAt - start) / 1e9);
            assertTrue(sent <= allowed + 1, "sent " + sent + " by " + (sendAt - start) + " ns, allowed " + allowed);
            nextSendAt[s] = sendAt;
        }
        assertEquals(sent, b.grantedBytes());
    }

    @Test
    void anIdleBucketRefillsOnlyUpToItsBurst() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        b.reserve(100_000);
        now.addAndGet(60_000_000_000L); // a minute idle
        assertEquals(0, b.reserve(100_000));
        assertEquals(100_000_000L, b.reserve(100_000));
    }

    @Test
    void aRateOfZeroOrLessIsUnthrottledButStillCounted() {
        TokenBucket zero = new TokenBucket(0, 1, now::get);
        TokenBucket minusOne = new TokenBucket(-1, 1, now::get);
        assertEquals(0, zero.reserve(1L << 40));
        assertEquals(0, minusOne.reserve(1L << 40));
        assertEquals(1L << 40, zero.grantedBytes());
    }

    @Test
    void aNewRateAppliesToLaterReservations() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        b.reserve(100_000);
        b.setRate(2_000_000, 100_000);
        assertEquals(500_000_000L, b.reserve(1_000_000));
    }

    @Test
    void aClaimWaitingForItsBytesFollowsARateRaisedWhileItWaits() {
        TokenBucket b = new TokenBucket(100_000, 100_000, now::get);
        b.claim(100_000);
        long position = b.claim(1_000_000);
        assertEquals(10_000_000_000L, b.nanosUntil(position)); // 1 MB at 100 kB/s
        now.addAndGet(1_000_000_000L); // 100 kB refilled of the 1 MB
        b.setRate(10_000_000, 100_000);
        assertEquals(90_000_000L, b.nanosUntil(position)); // the missing 900 kB at 10 MB/s
    }

    @Test
    void aClaimWaitingForItsBytesWaitsLongerWhenTheRateIsLowered() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        b.claim(100_000);
        long position = b.claim(1_000_000);
        b.setRate(500_000, 100_000);
        assertEquals(2_000_000_000L, b.nanosUntil(position));
    }

    @Test
    void turningTheThrottleOffReleasesEveryWaitingClaimAndForgivesTheDebt() {
        TokenBucket b = new TokenBucket(1_000, 100_000, now::get);
        b.claim(100_000);
        long first = b.claim(1_000_000);
        long second = b.claim(1_000_000);
        b.setRate(-1, 100_000);
        assertEquals(0, b.nanosUntil(first));
        assertEquals(0, b.nanosUntil(second));
        b.setRate(1_000, 100_000);
        assertEquals(0, b.reserve(100_000), "the debt of the released claims was forgiven");
    }

    @Test
    void laterClaimsArePaidAfterEarlierOnes() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, now::get);
        long first = b.claim(200_000);
        long second = b.claim(200_000);
        assertEquals(100_000_000L, b.nanosUntil(first));
        assertEquals(300_000_000L, b.nanosUntil(second));
        now.addAndGet(100_000_000L);
        assertEquals(0, b.nanosUntil(first));
        assertEquals(200_000_000L, b.nanosUntil(second));
    }
}
