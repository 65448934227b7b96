package dev.ferry.recovery;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergenceSearchTest {

    /** Runs the search against logs that agree up to {@code common}; returns the rounds it took. */
    private static int run(DivergenceSearch s, long common) {
        int rounds = 0;
        while (!s.done()) {
            long[] probes = s.nextProbes();
            boolean[] answers = new boolean[probes.length];
            for (int i = 0; i < probes.length; i++) answers[i] = probes[i] <= common;
            s.answer(answers);
            rounds++;
        }
        return rounds;
    }

    @Test
    void aReplicaThatDidNotDivergeIsDoneAfterOneRoundOnItsLastEntry() {
        DivergenceSearch s = new DivergenceSearch(1, 1000, 16);
        long[] first = s.nextProbes();
        assertEquals(1000, first[first.length - 1]);
        boolean[] all = new boolean[first.length];
        Arrays.fill(all, true);
        s.answer(all);
        assertTrue(s.done());
        assertEquals(1000, s.commonSeq());
    }

    @Test
    void findsTheExactCommonPointOfADivergentTail() {
        for (long common : new long[]{0, 1, 7, 990, 999, 500_000, 999_998}) {
            DivergenceSearch s = new DivergenceSearch(1, 1_000_000, 16);
            int rounds = run(s, common);
            assertEquals(common, s.commonSeq(), "common point " + common);
            assertTrue(rounds <= 6, "took " + rounds + " rounds for 1,000,000 entries");
        }
    }

    @Test
    void anEmptyLogHasNothingToCompare() {
        DivergenceSearch s = new DivergenceSearch(0, 0, 16);
        assertTrue(s.done());
        assertEquals(0, s.commonSeq());
    }

    @Test
    void entriesBelowTheReplicasRetainedStartAreNeverProbed() {
        DivergenceSearch s = new DivergenceSearch(501, 600, 4);
        while (!s.done()) {
            long[] probes = s.nextProbes();
            for (long p : probes) assertTrue(p >= 501, "probed " + p);
            s.answer(new boolean[probes.length]); // nothing matches
        }
        assertEquals(500, s.commonSeq());
    }

    @Test
    void aMatchAboveAMismatchIsNotTakenAsShared() {
        DivergenceSearch s = new DivergenceSearch(1, 100, 4);
        long[] probes = s.nextProbes();
        boolean[] answers = new boolean[probes.length];
        answers[0] = true;
        answers[probes.length - 1] = true; // inconsistent: the last matches though an earlier one did not
        s.answer(answers);
        assertFalse(s.done());
        run(s, probes[0]);
        assertEquals(probes[0], s.commonSeq());
    }

    @Test
    void probesAreAscendingAndInsideTheUnknownRange() {
        DivergenceSearch s = new DivergenceSearch(1, 37, 16);
        long[] p = s.nextProbes();
        long[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, p);
        assertTrue(p[0] >= 1 && p[p.length - 1] == 37);
    }

    @Test
    void theMasterCountsEntriesItNoLongerRetainsAsSharedAndEntriesItLacksAsNot() {
        assertTrue(DivergenceSearch.matches(5, 42, 42L, 1));
        assertFalse(DivergenceSearch.matches(5, 42, 43L, 1));
        assertTrue(DivergenceSearch.matches(5, 42, null, 100));   // below the master's retention
        assertFalse(DivergenceSearch.matches(500, 42, null, 100)); // beyond the master's end
        assertFalse(DivergenceSearch.matches(5, 42, null, 0));     // master log empty
    }

    @Test
    void fingerprintsDifferForDifferentBytesOfTheSameLength() {
        assertTrue(LogFingerprint.of(new byte[]{1, 2, 3}) != LogFingerprint.of(new byte[]{1, 2, 4}));
        assertEquals(LogFingerprint.of(new byte[]{9, 9}), LogFingerprint.of(new byte[]{9, 9}));
    }
}
