package dev.ferry.cluster;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import dev.ferry.node.FerrySettings;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Ferry's shard allocation strategy for the broker, queue and replica entity types: the Akka shell over the
 * allocation core. It maps shard regions to cluster members and members to node names and attributes (from their
 * "name:" / "attr:" roles), reads every node's disk usage and the Brokers' routing state (where each copy's data
 * is), and answers Akka's {@code allocateShard} / {@code rebalance} with completed futures.
 */
public final class FerryAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

    private final ActorSystem<?> system;
    private final String typeName;
    private final RouteTable routes;
    private final ClusterInfo info;
    private final FerrySettings settings;

    public FerryAllocationStrategy(ActorSystem<?> system, String typeName, RouteTable routes, ClusterInfo info, FerrySettings settings) {
        this.system = system;
        this.typeName = typeName;
        this.routes = routes;
        this.info = info;
        this.settings = settings;
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        Map<ActorRef, Member> members = members(current.keySet());
        ActorRef choice = leastLoaded(current, members);
        return Futures.successful(choice != null ? choice : requester);
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
        return Futures.successful(new HashSet<>());
    }

    private ActorRef leastLoaded(Map<ActorRef, IndexedSeq<String>> current, Map<ActorRef, Member> members) {
        ActorRef best = null;
        int bestCount = Integer.MAX_VALUE;
        for (var e : current.entrySet()) {
            Member m = members.get(e.getKey());
            if (m == null || m.status() != MemberStatus.up()) continue;
            if (e.getValue().size() < bestCount) {
                best = e.getKey();
                bestCount = e.getValue().size();
            }
        }
        return best;
    }

    /** Region ref -> the member hosting it (the coordinator's own region has a local address without host). */
    Map<ActorRef, Member> members(Set<ActorRef> regions) {
        akka.cluster.Cluster cluster = akka.cluster.Cluster.get(Adapter.toClassic(system));
        Map<Address, Member> byAddress = new HashMap<>();
        cluster.state().getMembers().forEach(m -> byAddress.put(m.address(), m));
        Map<ActorRef, Member> out = new HashMap<>();
        for (ActorRef region : regions) {
            Address a = region.path().address();
            Address memberAddress = a.host().isDefined() ? a : cluster.selfAddress();
            Member m = byAddress.get(memberAddress);
            if (m != null) out.put(region, m);
        }
        return out;
    }
}
