package dev.ferry.recovery;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoverySlotsTest {

    @Test
    void noMoreThanTheLimitAreHeldAtOnce() {
        RecoverySlots s = new RecoverySlots(() -> 2);
        assertTrue(s.tryAcquire());
        assertTrue(s.tryAcquire());
        assertFalse(s.tryAcquire());
        assertEquals(2, s.inUse());
        assertEquals(1, s.refused());
    }

    @Test
    void aReleasedSlotCanBeTakenAgain() {
        RecoverySlots s = new RecoverySlots(() -> 1);
        assertTrue(s.tryAcquire());
        s.release();
        assertTrue(s.tryAcquire());
        assertEquals(1, s.maxInUse());
        assertEquals(2, s.acquired());
    }

    @Test
    void aLoweredLimitStopsNewRecoveriesButNotRunningOnes() {
        AtomicInteger limit = new AtomicInteger(3);
        RecoverySlots s = new RecoverySlots(limit::get);
        s.tryAcquire();
        s.tryAcquire();
        limit.set(1);
        assertFalse(s.tryAcquire());
        assertEquals(2, s.inUse());
        s.release();
        assertFalse(s.tryAcquire());
        s.release();
        assertTrue(s.tryAcquire());
    }

    @Test
    void releasingMoreThanWasAcquiredIsAnError() {
        RecoverySlots s = new RecoverySlots(() -> 1);
        assertThrows(IllegalStateException.class, s::release);
    }
}
