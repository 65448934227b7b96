package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;

/**
 * {@code ferry.allocation.cluster-concurrent-rebalance} (ES's ConcurrentRebalanceAllocationDecider): at most that many
 * copies relocate at once for balance; -1 is unlimited. Forced moves are not limited. Stands aside in simulations.
 */
public final class ConcurrentRebalanceAllocationDecider implements ClusterScopedRebalanceDecider {
    public static final String NAME = "concurrent_rebalance";
    private static final Decision YES_UNLIMITED = Decision.yes(NAME, "unlimited concurrent rebalances are allowed");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canRebalance(Routing routing) {
        int limit = routing.settings().clusterConcurrentRebalance();
        if (limit < 0 || routing.simulation()) {
            return YES_UNLIMITED;
        }
        int relocating = routing.relocatingCopies();
        if (relocating >= limit) {
            return Decision.throttle(NAME, "reached the limit of concurrently rebalancing queue copies [" + relocating + "], cluster setting ["
                    + AllocationSettings.CLUSTER_CONCURRENT_REBALANCE + "=" + limit + "]");
        }
        return routing.debug() ? Decision.yes(NAME, "below the limit of concurrently rebalancing queue copies [" + relocating
                + "], cluster setting [" + AllocationSettings.CLUSTER_CONCURRENT_REBALANCE + "=" + limit + "]") : Decision.ALWAYS;
    }
}
