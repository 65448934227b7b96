package dev.ferry.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts, per cluster member, the consecutive probes of its cluster port that the member's host refused. A refusal
 * (TCP RST to a SYN) comes from a live kernel with nothing listening on the port: the member's process is gone. A
 * paused or overloaded process still accepts (the kernel completes the handshake), and a partition or a dead host
 * times out, so neither ever counts; those are left to the failure detector and the split-brain resolver. This is
 * how Elasticsearch's master drops a node whose transport connection is refused without waiting for its checks.
 *
 * @param <M> how a member is named (its unique address in the node, a string in tests)
 */
public final class PortRefusals<M> {

    /** What one probe of a member's port found. */
    public enum Probe { ACCEPTED, REFUSED, NO_ANSWER }

    private final int refusalsToDown;
    private final Map<M, Integer> refusals = new HashMap<>();

    /** @param refusalsToDown consecutive refused probes after which a member counts as crashed (at least 1) */
    public PortRefusals(int refusalsToDown) {
        if (refusalsToDown < 1) throw new IllegalArgumentException("refusals-to-down must be at least 1, was " + refusalsToDown);
        this.refusalsToDown = refusalsToDown;
    }

    /** Records one probe's outcome; true while {@code member}'s unbroken run of refusals marks it as crashed. */
    public boolean record(M member, Probe probe) {
        if (probe != Probe.REFUSED) {
            refusals.remove(member); // only an unbroken run of refusals counts
            return false;
        }
        int n = refusals.merge(member, 1, Integer::sum);
        return n >= refusalsToDown;
    }

    /** Forgets members that are no longer probed (left, removed). */
    public void retainOnly(Set<M> members) {
        refusals.keySet().retainAll(members);
    }
}
