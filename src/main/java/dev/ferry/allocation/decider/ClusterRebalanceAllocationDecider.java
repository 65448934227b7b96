package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Routing;

/**
 * {@code ferry.allocation.allow-rebalance} (ES's ClusterRebalanceAllocationDecider): with the default
 * {@code indices_all_active} no balancing move starts while any copy is unassigned or recovering; with
 * {@code indices_primaries_active} while any master is. Stands aside in simulations.
 */
public final class ClusterRebalanceAllocationDecider implements ClusterScopedRebalanceDecider {
    public static final String NAME = "cluster_rebalance";
    private static final Decision YES_ALWAYS = Decision.yes(NAME, "cluster setting [" + AllocationSettings.ALLOW_REBALANCE + "=always]");
    private static final Decision YES_ALL_ACTIVE = Decision.yes(NAME, "all queue copies are active");
    private static final Decision YES_MASTERS_ACTIVE = Decision.yes(NAME, "all masters are active");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canRebalance(Routing routing) {
        if (routing.simulation()) {
            return YES_ALWAYS;
        }
        String setting = "[" + AllocationSettings.ALLOW_REBALANCE + "] is set to [" + routing.settings().allowRebalance().word() + "]";
        return switch (routing.settings().allowRebalance()) {
            case ALWAYS -> YES_ALWAYS;
            case MASTERS_ACTIVE -> routing.unassignedMastersBeforeBalancing() > 0 || routing.initializingMastersBeforeBalancing() > 0
                    ? Decision.no(NAME, "the cluster has unassigned or initializing masters [" + (routing.unassignedMastersBeforeBalancing()
                    + routing.initializingMastersBeforeBalancing()) + "] and cluster setting " + setting)
                    : YES_MASTERS_ACTIVE;
            case ALL_ACTIVE -> routing.unassignedBeforeBalancing() > 0
                    ? Decision.no(NAME, "the cluster has unassigned queue copies [" + routing.unassignedBeforeBalancing() + "] and cluster setting " + setting)
                    : routing.initializingBeforeBalancing() > 0
                    ? Decision.no(NAME, "the cluster has initializing queue copies [" + routing.initializingBeforeBalancing() + "] and cluster setting " + setting)
                    : YES_ALL_ACTIVE;
        };
    }
}
