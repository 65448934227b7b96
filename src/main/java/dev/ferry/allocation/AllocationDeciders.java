package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.List;

import dev.ferry.allocation.decider.AwarenessAllocationDecider;
import dev.ferry.allocation.decider.ClusterRebalanceAllocationDecider;
import dev.ferry.allocation.decider.ConcurrentRebalanceAllocationDecider;
import dev.ferry.allocation.decider.DataTierAllocationDecider;
import dev.ferry.allocation.decider.DiskThresholdDecider;
import dev.ferry.allocation.decider.EnableAllocationDecider;
import dev.ferry.allocation.decider.FilterAllocationDecider;
import dev.ferry.allocation.decider.InSyncCopyAllocationDecider;
import dev.ferry.allocation.decider.MaxRetryAllocationDecider;
import dev.ferry.allocation.decider.QueuesLimitAllocationDecider;
import dev.ferry.allocation.decider.RebalanceOnlyWhenActiveAllocationDecider;
import dev.ferry.allocation.decider.ReplicaAfterMasterActiveAllocationDecider;
import dev.ferry.allocation.decider.SameQueueAllocationDecider;
import dev.ferry.allocation.decider.ThrottlingAllocationDecider;

/**
 * Runs every decider and combines their answers: NO if any says NO, else THROTTLE if any throttles, else YES.
 * In normal mode it stops at the first NO and returns that decider's decision; in debug mode
 * ({@link Routing#debug()}) use the {@code *All} variants, which return every decision.
 *
 * <p>Immutable and thread-safe.
 */
public final class AllocationDeciders {
    private final AllocationDecider[] deciders;

    /** @param deciders the rules, asked in this order (cheap and common NOs first pays off) */
    public AllocationDeciders(List<AllocationDecider> deciders) {
        this.deciders = deciders.toArray(new AllocationDecider[0]);
    }

    /** @return every decider of the specification, in the order they are asked */
    public static AllocationDeciders standard() {
        return new AllocationDeciders(List.of(
                new MaxRetryAllocationDecider(),
                new EnableAllocationDecider(),
                new InSyncCopyAllocationDecider(),
                new ReplicaAfterMasterActiveAllocationDecider(),
                new SameQueueAllocationDecider(),
                new FilterAllocationDecider(),
                new DataTierAllocationDecider(),
                new QueuesLimitAllocationDecider(),
                new AwarenessAllocationDecider(),
                new DiskThresholdDecider(),
                new ThrottlingAllocationDecider(),
                new ConcurrentRebalanceAllocationDecider(),
                new ClusterRebalanceAllocationDecider(),
                new RebalanceOnlyWhenActiveAllocationDecider()));
    }

    /** @return the deciders, in order */
    public List<AllocationDecider> deciders() {
        return List.of(deciders);
    }

    /** @return the combined answer to canAllocate(copy, node): the first NO, else the first THROTTLE, else YES */
    public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        Decision throttle = null;
        for (AllocationDecider d : deciders) {
            Decision r = d.canAllocate(copy, node, routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
            if (r.type() == Decision.Type.THROTTLE && throttle == null) {
                throttle = r;
            }
        }
        return throttle != null ? throttle : Decision.ALWAYS;
    }

    /** @return the combined node-independent answer */
    public Decision canAllocate(RoutingCopy copy, Routing routing) {
        Decision throttle = null;
        for (AllocationDecider d : deciders) {
            Decision r = d.canAllocate(copy, routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
            if (r.type() == Decision.Type.THROTTLE && throttle == null) {
                throttle = r;
            }
        }
        return throttle != null ? throttle : Decision.ALWAYS;
    }

    /** @return the combined answer to canAllocateTopic */
    public Decision canAllocateTopic(RoutingTopic topic, RoutingNode node, Routing routing) {
        for (AllocationDecider d : deciders) {
            Decision r = d.canAllocateTopic(topic, node, routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
        }
        return Decision.ALWAYS;
    }

    /** @return the combined answer to canRemain */
    public Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        for (AllocationDecider d : deciders) {
            Decision r = d.canRemain(copy, node, routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
        }
        return Decision.ALWAYS;
    }

    /** @return the combined answer to canRebalance(copy) */
    public Decision canRebalance(RoutingCopy copy, Routing routing) {
        Decision throttle = null;
        for (AllocationDecider d : deciders) {
            Decision r = d.canRebalance(copy, routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
            if (r.type() == Decision.Type.THROTTLE && throttle == null) {
                throttle = r;
            }
        }
        return throttle != null ? throttle : Decision.ALWAYS;
    }

    /** @return the combined answer to canRebalance() */
    public Decision canRebalance(Routing routing) {
        Decision throttle = null;
        for (AllocationDecider d : deciders) {
            Decision r = d.canRebalance(routing);
            if (r.type() == Decision.Type.NO) {
                return r;
            }
            if (r.type() == Decision.Type.THROTTLE && throttle == null) {
                throttle = r;
            }
        }
        return throttle != null ? throttle : Decision.ALWAYS;
    }

    /** @return the answer to canAllocate(copy, node) of every decider with an opinion (node-independent questions included); for explain */
    public List<Decision> canAllocateAll(RoutingCopy copy, RoutingNode node, Routing routing) {
        List<Decision> out = new ArrayList<>();
        for (AllocationDecider d : deciders) {
            Decision general = d.canAllocate(copy, routing);
            Decision specific = d.canAllocate(copy, node, routing);
            Decision pick = general.type().ordinal() < specific.type().ordinal() ? general : specific;
            if (pick != Decision.ALWAYS) {
                out.add(label(d, pick, "no objection"));
            }
        }
        return out;
    }

    /** @return the canRemain answer of every decider with an opinion; for explain */
    public List<Decision> canRemainAll(RoutingCopy copy, RoutingNode node, Routing routing) {
        List<Decision> out = new ArrayList<>();
        for (AllocationDecider d : deciders) {
            Decision r = d.canRemain(copy, node, routing);
            if (r != Decision.ALWAYS) {
                out.add(label(d, r, "the copy may remain"));
            }
        }
        return out;
    }

    /** @return the worse of canRebalance(copy) and canRebalance() of every decider with an opinion; for explain */
    public List<Decision> canRebalanceAll(RoutingCopy copy, Routing routing) {
        List<Decision> out = new ArrayList<>();
        for (AllocationDecider d : deciders) {
            Decision cluster = d.canRebalance(routing);
            Decision single = d.canRebalance(copy, routing);
            Decision pick = cluster.type().ordinal() < single.type().ordinal() ? cluster : single;
            if (pick != Decision.ALWAYS) {
                out.add(label(d, pick, "rebalancing is allowed"));
            }
        }
        return out;
    }

    private static Decision label(AllocationDecider d, Decision r, String dflt) {
        return r.decider().isEmpty() ? new Decision(r.type(), d.name(), r.explanation().isEmpty() ? dflt : r.explanation()) : r;
    }
}
