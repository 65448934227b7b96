package dev.ferry.allocation;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the last desired balance while it still applies, so that rounds reconciling towards it do not recompute it
 * (ES computes it in the background for the same reason): it is reused as long as settings, nodes (disk reports
 * included) and topics are unchanged and every copy is still where it was when the balance was computed, or on (or
 * moving to) its desired node. Anything else (a node joins or leaves, a copy fails, a setting changes) recomputes it.
 *
 * <p>Not thread-safe: one instance per caller, e.g. the allocation strategy, which Akka calls from one actor.
 */
public final class DesiredBalanceTracker {
    private final Allocator allocator;
    private ClusterView computedFor;
    private Map<CopyId, String> origin;
    private DesiredBalance desired;
    private long computations;

    /** @param allocator computes balances when needed */
    public DesiredBalanceTracker(Allocator allocator) {
        this.allocator = allocator;
    }

    /** @return the desired balance for {@code view}, reused when still valid */
    public DesiredBalance desiredBalance(ClusterView view) {
        if (desired == null || !stillValid(view)) {
            desired = allocator.desiredBalance(view);
            computedFor = view;
            origin = new HashMap<>();
            for (Copy c : view.copies()) {
                origin.put(c.id(), c.owningNode());
            }
            computations++;
        }
        return desired;
    }

    /** @return one round towards the tracked desired balance (greedy when {@code ferry.allocation.type=balanced}) */
    public RoundResult round(ClusterView view) {
        return allocator.round(view, view.settings().desiredBalance() ? desiredBalance(view) : null);
    }

    /** @return how many times a balance was computed (not reused) */
    public long computations() {
        return computations;
    }

    private boolean stillValid(ClusterView view) {
        if (!view.settings().equals(computedFor.settings()) || !view.nodes().equals(computedFor.nodes())
                || !view.topics().equals(computedFor.topics()) || view.copies().size() != computedFor.copies().size()) {
            return false;
        }
        for (Copy c : view.copies()) {
            String now = c.owningNode();
            if (!origin.containsKey(c.id())) {
                return false;
            }
            String want = desired.assignments().get(c.id());
            if (!Objects.equals(now, origin.get(c.id())) && !Objects.equals(now, want)) {
                return false;
            }
        }
        return true;
    }
}
