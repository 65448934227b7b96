package dev.ferry.recovery;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the last entry a replica's log shares with its master's log, so the replica cuts only the divergent tail.
 * Logs agree on a prefix and differ after it (a replica only appends what a master shipped, in order, and cuts
 * before it follows a new master), so "entry s matches" is true up to the common point and false above it: the
 * search narrows {@code (lo, hi)} — lo known to match, hi known not to — by comparing a few entries per round
 * (their {@link LogFingerprint}s) with the master. The first round always probes the replica's last entry, so a
 * replica that did not diverge is done in one round trip; otherwise each round shrinks the range
 * {@code probesPerRound + 1} times.
 *
 * <p>Not thread-safe: owned by one Replica entity for one search.
 */
public final class DivergenceSearch {

    private final int probesPerRound;
    private long lo;
    private long hi;
    private long[] pending;

    /**
     * @param lowestSeq  the replica's lowest retained sequence number (0 if its log is empty)
     * @param highestSeq the replica's highest sequence number (0 if empty)
     */
    public DivergenceSearch(long lowestSeq, long highestSeq, int probesPerRound) {
        if (probesPerRound < 1) throw new IllegalArgumentException("probesPerRound must be >= 1");
        this.probesPerRound = probesPerRound;
        // Below the replica's lowest entry there is nothing to disagree about.
        this.lo = highestSeq <= 0 ? 0 : Math.max(0, lowestSeq - 1);
        this.hi = highestSeq + 1;
    }

    public boolean done() {
        return hi - lo <= 1;
    }

    /** The last sequence number both logs share (valid once {@link #done()}): cut the replica after it. */
    public long commonSeq() {
        if (!done()) throw new IllegalStateException("search not finished: (" + lo + ", " + hi + ")");
        return lo;
    }

    /** The sequence numbers to compare next, ascending; the highest unknown entry is always among them. */
    public long[] nextProbes() {
        if (done()) return new long[0];
        List<Long> seqs = new ArrayList<>();
        long span = hi - lo - 1; // unknown entries lo+1 .. hi-1
        int n = (int) Math.min(probesPerRound - 1, span - 1);
        for (int i = 1; i <= n; i++) {
            long s = lo + Math.max(1, span * i / (n + 1));
            if (seqs.isEmpty() || seqs.get(seqs.size() - 1) < s) seqs.add(s);
        }
        if (seqs.isEmpty() || seqs.get(seqs.size() - 1) < hi - 1) seqs.add(hi - 1);
        pending = seqs.stream().mapToLong(Long::longValue).toArray();
        return pending.clone();
    }

    /** The master's verdict on each probe of the last {@link #nextProbes()}, in the same order. */
    public void answer(boolean[] matches) {
        if (pending == null) throw new IllegalStateException("answer without probes");
        if (matches.length != pending.length)
            throw new IllegalArgumentException("expected " + pending.length + " answers, got " + matches.length);
        // Take the matching prefix only: a match above a mismatch cannot be a shared history.
        int i = 0;
        while (i < pending.length && matches[i]) i++;
        if (i > 0) lo = pending[i - 1];
        if (i < pending.length) hi = pending[i];
        pending = null;
    }

    /**
     * The master's side: does the replica's entry {@code replicaFingerprint} at {@code seq} match the master's log?
     *
     * @param masterFingerprint the master's entry at seq, or null if the master has none there
     * @param masterLowestSeq   the master's lowest retained sequence number: below it retention removed the
     *                          master's copy, and entries that old were acknowledged long ago, so they count as shared
     */
    public static boolean matches(long seq, long replicaFingerprint, Long masterFingerprint, long masterLowestSeq) {
        if (masterFingerprint != null) return masterFingerprint == replicaFingerprint;
        return masterLowestSeq > 0 && seq < masterLowestSeq;
    }
}
