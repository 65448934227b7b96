package dev.ferry.cluster;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import dev.ferry.allocation.AllocationResult;
import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.Move;
import dev.ferry.allocation.RoundResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Ferry's shard allocation strategy for the broker, queue and replica entity types: the Akka shell over the
 * allocation core ({@link Allocator}). It maps shard regions to cluster members and members to node names and
 * attributes (their "name:" / "attr:" roles), feeds the core a {@link ClusterView} built by {@link AllocationInputs}
 * (disk usage, topics, where each copy's data is and runs), and turns the core's answers into Akka's replies —
 * always already-completed futures, so the coordinator never waits.
 *
 * <ul>
 *   <li>Queue (master) copies start where their data is: if the routing state names the node holding the master's
 *       log and that node is up, the master goes there. A brand-new queue goes where the core says. A master whose
 *       node is gone stays unallocated (its log is not elsewhere) unless the core promotes an in-sync replica.</li>
 *   <li>Replica copies go where the core says (same-queue, awareness, filters, disk watermarks, limits).</li>
 *   <li>Brokers hold no local data (their state is in Distributed Data): the up node with the fewest brokers among
 *       those the cluster-level filters accept.</li>
 *   <li>NO / THROTTLE: answer a ref that is not a region (dead letters); the coordinator then allocates nothing and
 *       the region asks again (every 2 s), so a throttled copy starts once a recovery slot frees.</li>
 *   <li>rebalance: a Replica running on its own master's node (left there by a promotion, dormant) is moved off
 *       first, even while other hand-offs are under way, so its slot recovers elsewhere — once the Broker has recorded
 *       the promotion; before that it is the in-sync copy the promotion needs and does not move (docs/replication.md).</li>
 *   <li>rebalance: replicas move when the core's round moves them. A master the core forces off its node (a drained
 *       node, disk, limits) is handed over to an in-sync replica's node (a planned promotion); masters never move for
 *       balance alone. Brokers leave nodes the cluster-level filters exclude (drain) and otherwise never move.</li>
 * </ul>
 */
public final class FerryAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

    private static final Logger log = LoggerFactory.getLogger(FerryAllocationStrategy.class);

    private final ActorSystem<?> system;
    private final String typeName;
    private final AllocationInputs inputs;
    private final Allocator allocator = new Allocator();
    /** Sends a copy's entity a wake-up message through sharding (none for brokers). */
    private final java.util.function.Consumer<CopyId> wake;
    /** When each copy was last woken by {@link #wakeAllocatable}: a copy that stays unplaced is not woken every round. */
    private final Map<CopyId, Long> woken = new HashMap<>();
    private static final long WAKE_AGAIN_MS = 60_000;
    /** Replica slots that looked surplus, since when: placed to drain only once they have looked so for a while. */
    private final Map<CopyId, Long> surplusSince = new HashMap<>();
    private static final long SURPLUS_AFTER_MS = 20_000;

    public FerryAllocationStrategy(ActorSystem<?> system, String typeName, AllocationInputs inputs) {
        this(system, typeName, inputs, id -> {});
    }

    /** @param wake sends the entity of a copy of this type a message through sharding, so sharding asks for its home */
    public FerryAllocationStrategy(ActorSystem<?> system, String typeName, AllocationInputs inputs, java.util.function.Consumer<CopyId> wake) {
        this.system = system;
        this.typeName = typeName;
        this.inputs = inputs;
        this.wake = wake;
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        try {
            return Futures.successful(decide(requester, shardId, current));
        } catch (RuntimeException e) {
            log.warn("{} {}: allocation failed, will retry: {}", typeName, shardId, e.toString());
            return Futures.successful(notNow());
        }
    }

    private ActorRef decide(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        Map<ActorRef, Member> members = upMembers(current.keySet());
        if (members.isEmpty()) return notNow();
        if (typeName.equals("broker")) return fewestShards(current, brokerHomes(members));

        Map<String, ActorRef> regionByNode = new HashMap<>();
        members.forEach((region, m) -> regionByNode.put(AllocationInputs.nodeName(m), region));
        inputs.running(typeName, running(current, members));
        CopyId id = CopyId.parse(shardId);
        if (!inputs.surplusReplica(id)) surplusSince.remove(id);
        else if (System.currentTimeMillis() - surplusSince.computeIfAbsent(id, k -> System.currentTimeMillis()) < SURPLUS_AFTER_MS) {
            // This node's route table may lag behind a topic that just gained replicas: wait until it cannot.
            return notNow();
        } else {
            // Messages sent before the topic gave the slot up (a wake, a master's probe) wait in the region's buffer
            // until the shard has a home; left unplaced they would wait for good, logged every retry and holding up
            // the node's shutdown. Placed on the asking node, the replica learns it is surplus and stops at once,
            // touching no store (Replica.onTopicLoaded).
            surplusSince.remove(id);
            Member asking = members.get(requester);
            log.debug("{} {}: surplus replica, placed on {} to drain its messages", typeName, shardId, asking == null ? "any node" : asking.address());
            return asking != null ? requester : members.keySet().iterator().next();
        }
        if (!inputs.knowsTopic(id.topic())) {
            // Remembered shards restart before this node's route table has loaded the topics: ask again shortly.
            log.debug("{} {}: topic not known yet", typeName, shardId);
            return notNow();
        }

        if (id.copy() == 0) {
            Move planned = inputs.moving.remove(id);
            if (planned != null && regionByNode.containsKey(planned.to()) && inputs.holdsInSyncReplica(id, planned.to())) {
                // A planned hand-over (the master's node is drained): the master stopped after its in-sync replicas
                // confirmed everything it stored; it restarts on the in-sync replica's log, which the Broker promotes.
                log.info("{} {}: handing the master over to the in-sync replica on {}", typeName, shardId, planned.to());
                inputs.allocated(typeName, id, planned.to());
                return regionByNode.get(planned.to());
            }
            String dataNode = inputs.masterDataNode(id);
            if (!dataNode.isEmpty() && regionByNode.containsKey(dataNode)) {
                inputs.allocated(typeName, id, dataNode);
                return regionByNode.get(dataNode);
            }
            if (!dataNode.isEmpty()) {
                // The master's node is gone: promote onto an in-sync replica's node as the Broker's route names it,
                // never onto a node without the data (this coordinator may not have seen where replicas run yet).
                String promoted = inputs.inSyncReplicaNode(id, regionByNode.keySet());
                if (promoted.isEmpty()) return notNow();
                log.info("{} {}: promoting onto the in-sync replica on {}", typeName, shardId, promoted);
                inputs.allocated(typeName, id, promoted);
                return regionByNode.get(promoted);
            }
        }
        String prepared = id.copy() > 0 ? inputs.preparedTargets.remove(id) : null;
        if (prepared != null && regionByNode.containsKey(prepared)) {
            // Its relocation target copied the log before the replica moved: it starts there, on that copy.
            log.info("{} {}: starting on {}, which holds its log", typeName, shardId, prepared);
            inputs.allocated(typeName, id, prepared);
            return regionByNode.get(prepared);
        }
        ClusterView view = inputs.view(members.values(), inputs.running());
        AllocationResult r = allocator.allocate(view, id);
        if (r.type() == Decision.Type.YES && r.node().isPresent() && regionByNode.containsKey(r.node().get())) {
            log.debug("{} {} -> {}{}", typeName, shardId, r.node().get(), r.promotion() ? " (promotion)" : "");
            inputs.allocated(typeName, id, r.node().get());
            return regionByNode.get(r.node().get());
        }
        if (r.type() == Decision.Type.THROTTLE) dev.ferry.node.FerryMetrics.ALLOCATIONS_THROTTLED.labels(typeName).inc();
        log.debug("{} {} not allocated now ({}): {}", typeName, shardId, r.type(), r.explanation());
        return notNow();
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
        Set<String> out = new HashSet<>();
        try {
            Map<ActorRef, Member> members = upMembers(current.keySet());
            if (!typeName.equals("broker")) inputs.running(typeName, running(current, members));
            if (typeName.equals(dev.ferry.replica.Replica.TYPE_KEY.name())) {
                // After a promotion the master runs on the node of the replica it was promoted onto; that Replica handed
                // its log over and stays dormant there. Move it off first, so the slot recovers on another node
                // (docs/replication.md), whatever else is being handed off: waiting until no rebalance was in progress
                // kept the queue without an independent copy for as long as another hand-off took (up to Akka's
                // handoff-timeout, 60 s, when a region of a node that went down never acknowledged it).
                // Only once the Broker has recorded the promotion (the master's data is on that node): until then the
                // master shard may be allocated there but not yet running (a remembered-entities read can time out while
                // the crashed node is still a member), and the replica holds the in-sync copy the promotion needs. Moving
                // it then left the queue with no in-sync copy on a live node and no master until the crashed node came back.
                for (CopyId id : inputs.displacedReplicas(rebalanceInProgress)) out.add(id.entityId());
                if (!out.isEmpty()) {
                    log.info("rebalance: moving replicas off their master's node {}", out);
                    return Futures.successful(out);
                }
            }
            if (!rebalanceInProgress.isEmpty()) return Futures.successful(out);
            boolean settled = members.size() == current.size(); // else someone is joining or leaving: wait
            if (typeName.equals("broker")) return Futures.successful(settled ? brokersToMove(current, members) : out);
            if (settled) wakeAllocatable(members);
            if (typeName.equals("queue")) return Futures.successful(settled ? mastersToHandOver(members) : out);
            if (!settled) return Futures.successful(out);
            out.addAll(relocationsReady(members));
            RoundResult round = allocator.round(inputs.view(members.values(), inputs.running()));
            Set<String> now = new HashSet<>();
            for (Move move : round.moves()) {
                CopyId id = move.copy();
                if (id.copy() == 0 || inputs.preCopies.containsKey(id)) continue;
                // The in-sync log a master is being promoted onto stays until the Broker has recorded the promotion,
                // whatever the round wants: the core keeps it from balancing (same_queue), but a forced move (a filter,
                // disk) could still pick it.
                if (inputs.awaitsPromotion(id)) continue;
                inputs.moving.put(id, move);
                if (!prepareTarget(move, members)) now.add(id.entityId());
            }
            if (!now.isEmpty()) log.info("rebalance: moving replicas {}", now);
            out.addAll(now);
        } catch (RuntimeException e) {
            log.warn("{}: rebalance round failed: {}", typeName, e.toString());
        }
        return Futures.successful(out);
    }

    /**
     * Relocations whose target has copied the log: their replicas are handed off now (the next allocation puts each on
     * its target). A relocation whose target failed, left or restarted, or whose replica no longer runs on the source
     * (in sync or not), is dropped: a later round may move the copy again.
     */
    private Set<String> relocationsReady(Map<ActorRef, Member> members) {
        Set<String> out = new HashSet<>();
        Map<String, String> targets = new HashMap<>();
        members.values().forEach(m -> targets.put(AllocationInputs.nodeName(m), m.uniqueAddress().toString()));
        Map<CopyId, String> running = inputs.running();
        // Moving a replica onto its copy is an allocation: with ferry.allocation.enable = primaries or none (a rolling
        // restart) it waits, as every other replica allocation does.
        boolean replicasMayMove = inputs.settings().enable() == dev.ferry.allocation.AllocationEnable.ALL;
        inputs.preCopies.forEach((id, p) -> {
            String dropped = p.failure() != null ? p.failure()
                    : !p.target().equals(targets.get(p.move().to())) ? "the target left or restarted"
                    : !p.move().from().equals(running.get(id)) ? "the replica no longer runs on " + p.move().from() : null;
            if (dropped != null) {
                inputs.preCopies.remove(id);
                inputs.moving.remove(id, p.move());
                log.info("rebalance: relocation of {} to {} dropped: {}", id.entityId(), p.move().to(), dropped);
            } else if (p.prepared() && replicasMayMove) {
                inputs.preCopies.remove(id);
                inputs.preparedTargets.put(id, p.move().to());
                out.add(id.entityId());
            }
        });
        if (!out.isEmpty()) log.info("rebalance: moving replicas {} onto the nodes that copied their logs", out);
        return out;
    }

    /**
     * A replica that serves in sync where it is keeps doing so while its target copies the log: asks the target node
     * to prepare ({@link dev.ferry.replica.RelocationTargets}) and returns true; the replica moves in a later round, once
     * the copy is done. A replica that is not in sync has nothing to keep: false, it moves now and recovers there.
     */
    private boolean prepareTarget(Move move, Map<ActorRef, Member> members) {
        CopyId id = move.copy();
        var reports = inputs.relocationReports;
        if (reports == null || !move.from().equals(inputs.running().get(id)) || !inputs.inSyncOn(id, move.from())) return false;
        Member target = null;
        for (Member m : members.values()) if (AllocationInputs.nodeName(m).equals(move.to())) target = m;
        if (target == null) return false;
        inputs.preCopies.put(id, new AllocationInputs.PreCopy(move, target.uniqueAddress().toString(), false, null));
        Adapter.toClassic(system).actorSelection(target.address() + "/system/" + dev.ferry.replica.RelocationTargets.NAME)
                .tell(new dev.ferry.replica.RelocationTargets.Prepare(id.topic(), id.queue(), id.copy(), reports), ActorRef.noSender());
        log.info("rebalance: {} stays on {} while {} copies its log", id.entityId(), move.from(), move.to());
        return true;
    }

    /**
     * Masters that may not remain on their node (filters such as a drain's {@code exclude._name}, disk, limits): the
     * core moves such a master onto the node of an in-sync replica. Each is handed off here; its Queue entity's stop
     * waits until every in-sync replica has confirmed what it stored, and {@link #allocateShard} then starts it on
     * the target, where the Broker promotes the replica's log with a new term (docs/replication.md, "Planned hand-over").
     */
    private Set<String> mastersToHandOver(Map<ActorRef, Member> members) {
        Set<String> out = new HashSet<>();
        Set<String> up = new HashSet<>();
        members.values().forEach(m -> up.add(AllocationInputs.nodeName(m)));
        inputs.running().forEach((id, node) -> {
            if (id.copy() == 0 && inputs.strandedMaster(id, node, up)) out.add(id.entityId());
        });
        if (!out.isEmpty()) {
            log.warn("rebalance: masters the Broker cannot promote where they run go back to their data node {}", out);
            return out;
        }
        RoundResult round = allocator.round(inputs.view(members.values(), inputs.running()));
        for (Move move : round.moves()) {
            CopyId id = move.copy();
            if (id.copy() != 0 || move.kind() != Move.Kind.FORCED || !up.contains(move.to())) continue;
            if (!inputs.holdsInSyncReplica(id, move.to())) continue; // the Broker would refuse the promotion
            inputs.moving.put(id, move);
            out.add(id.entityId());
        }
        if (!out.isEmpty()) log.info("rebalance: handing masters over to in-sync replicas {}", out);
        return out;
    }

    /** Up members whose node the cluster-level filters accept for brokers; all of them if the filters accept none. */
    private Map<ActorRef, Member> brokerHomes(Map<ActorRef, Member> members) {
        Map<ActorRef, Member> accepted = new HashMap<>();
        members.forEach((region, m) -> { if (inputs.clusterFiltersAccept(m)) accepted.put(region, m); });
        return accepted.isEmpty() ? members : accepted;
    }

    /**
     * Brokers on nodes the cluster-level filters no longer accept (a drained node), if another node accepts them; else
     * a few Brokers from the fullest nodes, so they spread over the nodes that joined after them ({@link BrokerBalance}).
     */
    private Set<String> brokersToMove(Map<ActorRef, IndexedSeq<String>> current, Map<ActorRef, Member> members) {
        Set<String> out = new HashSet<>();
        Map<ActorRef, Member> homes = brokerHomes(members);
        if (homes.size() != members.size()) current.forEach((region, shards) -> {
            if (!members.containsKey(region) || homes.containsKey(region)) return;
            scala.collection.Iterator<String> it = shards.iterator();
            while (it.hasNext()) out.add(it.next());
        });
        if (!out.isEmpty()) {
            log.info("rebalance: moving brokers off nodes the allocation filters exclude {}", out);
            return out;
        }
        Map<String, java.util.List<String>> byNode = new HashMap<>();
        int brokers = 0;
        for (var e : homes.entrySet()) {
            java.util.List<String> shards = new java.util.ArrayList<>();
            IndexedSeq<String> held = current.get(e.getKey());
            if (held != null) {
                scala.collection.Iterator<String> it = held.iterator();
                while (it.hasNext()) shards.add(it.next());
            }
            brokers += shards.size();
            byNode.put(AllocationInputs.nodeName(e.getValue()), shards);
        }
        out.addAll(BrokerBalance.toMove(byNode, BrokerBalance.limit(brokers)));
        if (!out.isEmpty()) log.info("rebalance: spreading brokers over the nodes {}", out);
        return out;
    }

    /** Where each copy of this type runs now: copy -> node name. */
    private static Map<CopyId, String> running(Map<ActorRef, IndexedSeq<String>> current, Map<ActorRef, Member> members) {
        Map<CopyId, String> out = new HashMap<>();
        current.forEach((region, shards) -> {
            Member m = members.get(region);
            if (m == null) return;
            String node = AllocationInputs.nodeName(m);
            scala.collection.Iterator<String> it = shards.iterator();
            while (it.hasNext()) {
                try {
                    out.put(CopyId.parse(it.next()), node);
                } catch (IllegalArgumentException ignored) {
                    // not a copy id: cannot happen for queue/replica entity ids
                }
            }
        });
        return out;
    }

    private static ActorRef fewestShards(Map<ActorRef, IndexedSeq<String>> current, Map<ActorRef, Member> members) {
        ActorRef best = null;
        int bestCount = Integer.MAX_VALUE;
        String bestName = null;
        for (var e : current.entrySet()) {
            Member m = members.get(e.getKey());
            if (m == null) continue;
            String name = AllocationInputs.nodeName(m);
            int n = e.getValue().size();
            if (n < bestCount || (n == bestCount && name.compareTo(bestName) < 0)) {
                best = e.getKey();
                bestCount = n;
                bestName = name;
            }
        }
        return best;
    }

    /** Not a region: the coordinator allocates nothing and the requesting region asks again later. */
    /**
     * ES's reroute. Akka allocates a shard only when a message for it arrives, so a copy nobody writes to could stay
     * unplaced although the core would place it now: an idle queue's master whose node came back, a replica handed
     * off for a relocation, a replica allowed again after {@code allocation.enable} went back to {@code all}. Such
     * copies (and they alone: a copy the core would not place gets no message to wait in a region's buffer) are sent a
     * wake-up, and sharding asks for their home.
     */
    private void wakeAllocatable(Map<ActorRef, Member> members) {
        boolean masters = typeName.equals("queue");
        ClusterView view = inputs.view(members.values(), inputs.running());
        boolean any = false;
        for (var c : view.copies())
            if (c.state() == dev.ferry.allocation.CopyState.UNASSIGNED && (c.id().copy() == 0) == masters) { any = true; break; }
        long now = System.currentTimeMillis();
        woken.values().removeIf(at -> now - at >= WAKE_AGAIN_MS);
        // A shard that looked surplus once and was never asked for again leaves nothing behind either.
        surplusSince.values().removeIf(at -> now - at >= 3 * SURPLUS_AFTER_MS);
        if (!any) return;
        for (dev.ferry.allocation.Placement p : allocator.round(view).placements()) {
            CopyId id = p.copy();
            if ((id.copy() == 0) != masters || woken.containsKey(id)) continue;
            woken.put(id, now);
            log.info("{} {}: unplaced and allocatable on {}; waking it", typeName, id.entityId(), p.node());
            wake.accept(id);
        }
    }

    private ActorRef notNow() {
        return Adapter.toClassic(system).deadLetters();
    }

    /** Region ref -> its Up member (the coordinator's own region has a local address without host). */
    private Map<ActorRef, Member> upMembers(Set<ActorRef> regions) {
        akka.cluster.Cluster cluster = akka.cluster.Cluster.get(Adapter.toClassic(system));
        Map<Address, Member> byAddress = new HashMap<>();
        cluster.state().getMembers().forEach(m -> { if (m.status() == MemberStatus.up()) byAddress.put(m.address(), m); });
        Map<ActorRef, Member> out = new HashMap<>();
        for (ActorRef region : regions) {
            Address a = region.path().address();
            Member m = byAddress.get(a.host().isDefined() ? a : cluster.selfAddress());
            if (m != null) out.put(region, m);
        }
        return out;
    }
}
