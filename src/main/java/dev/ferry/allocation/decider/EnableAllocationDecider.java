package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationEnable;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.RebalanceEnable;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.TopicSettings;

/**
 * {@code ferry.allocation.enable} / {@code topic.allocation.enable} and the rebalance counterparts (ES's
 * EnableAllocationDecider). The topic setting, when present, overrides the cluster one in both directions.
 * Only future placements are affected: copies already placed may remain.
 */
public final class EnableAllocationDecider implements CopyScopedDecider {
    public static final String NAME = "enable";
    private static final Decision YES_ALL = Decision.yes(NAME, "all allocations are allowed");
    private static final Decision YES_REBALANCE = Decision.yes(NAME, "all rebalancing is allowed");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, Routing routing) {
        var topicValue = copy.topic().settings().enable();
        AllocationEnable enable = topicValue.orElse(routing.settings().enable());
        String setting = topicValue.isPresent() ? "topic setting [" + TopicSettings.ENABLE + "=" + enable.word() + "]"
                : "cluster setting [" + AllocationSettings.ENABLE + "=" + enable.word() + "]";
        return switch (enable) {
            case ALL -> YES_ALL;
            case NONE -> Decision.no(NAME, "no allocations are allowed due to " + setting);
            case MASTERS -> copy.isMaster() ? Decision.yes(NAME, "master allocations are allowed")
                    : Decision.no(NAME, "replica allocations are forbidden due to " + setting);
            case NEW_MASTERS -> copy.isMaster() && copy.state() == CopyState.UNASSIGNED && copy.queue().isNew()
                    ? Decision.yes(NAME, "new master allocations are allowed")
                    : Decision.no(NAME, (copy.isMaster() ? "non-new master" : "replica") + " allocations are forbidden due to " + setting);
        };
    }

    @Override
    public Decision canRebalance(RoutingCopy copy, Routing routing) {
        var topicValue = copy.topic().settings().rebalanceEnable();
        RebalanceEnable enable = topicValue.orElse(routing.settings().rebalanceEnable());
        String setting = topicValue.isPresent() ? "topic setting [" + TopicSettings.REBALANCE_ENABLE + "=" + enable.word() + "]"
                : "cluster setting [" + AllocationSettings.REBALANCE_ENABLE + "=" + enable.word() + "]";
        return switch (enable) {
            case ALL -> YES_REBALANCE;
            case NONE -> Decision.no(NAME, "no rebalancing is allowed due to " + setting);
            case MASTERS -> copy.isMaster() ? Decision.yes(NAME, "master rebalancing is allowed")
                    : Decision.no(NAME, "replica rebalancing is forbidden due to " + setting);
            case REPLICAS -> copy.isMaster() ? Decision.no(NAME, "master rebalancing is forbidden due to " + setting)
                    : Decision.yes(NAME, "replica rebalancing is allowed");
        };
    }

    @Override
    public Decision canRebalance(Routing routing) {
        if (routing.settings().rebalanceEnable() != RebalanceEnable.NONE) {
            return YES_REBALANCE;
        }
        if (routing.anyTopicRebalanceSetting()) {
            return Decision.yes(NAME, "cluster rebalancing is disabled by [" + AllocationSettings.REBALANCE_ENABLE
                    + "=none] but some topics set [" + TopicSettings.REBALANCE_ENABLE + "]");
        }
        return Decision.no(NAME, "no rebalancing is allowed due to cluster setting [" + AllocationSettings.REBALANCE_ENABLE + "=none]");
    }
}
