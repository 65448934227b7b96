package dev.ferry.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import dev.ferry.allocation.CopyId;
import dev.ferry.broker.QueueRoute;
import dev.ferry.broker.TopicSettings;
import dev.ferry.broker.TopicState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.jdk.javaapi.CollectionConverters;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica strategy's rebalance on a one-node cluster (node n1): a Replica left beside its master by a recorded
 * promotion is moved off at once, also while other hand-offs are in progress; one whose promotion is not recorded stays.
 */
class DisplacedReplicaRebalanceTest {

    static ActorSystem<Void> system;

    @BeforeAll
    static void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "displaced", ConfigFactory.parseString(String.join("\n",
                "akka.actor.provider = cluster",
                "akka.remote.artery.canonical.hostname = 127.0.0.1",
                "akka.remote.artery.canonical.port = 0",
                "akka.cluster.roles = [\"name:n1\"]",
                "akka.cluster.jmx.enabled = off",
                "akka.loglevel = WARNING")).withFallback(ConfigFactory.defaultReference()));
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the node did not come up");
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() {
        if (system != null) system.terminate();
    }

    private final RouteTable routes = new RouteTable();
    private final AllocationInputs inputs = new AllocationInputs(routes, new ClusterInfo(), Map.of());
    private final FerryAllocationStrategy strategy = new FerryAllocationStrategy(system, "replica", inputs);
    /** The local region: its address has no host, which the strategy maps to this node (n1). */
    private final akka.actor.ActorRef region = Adapter.toClassic(system).deadLetters();

    /**
     * Topic t, two queues, one replica each, both replicas running on n1; queue 0's master runs on n1 with its data on
     * {@code q0Master} and slot 1 as given; queue 1's master runs on n1 too (its replica displaced) if {@code q1Displaced},
     * else on n2.
     */
    private void route(String q0Master, List<Integer> q0InSync, String q0Slot1, boolean q1Displaced) {
        TopicSettings settings = new TopicSettings(2, 1, TopicSettings.Replication.SYNC, TopicSettings.Flush.ASYNC, 1024, Map.of());
        routes.learn(new TopicState("t", settings, List.of(
                new QueueRoute(0, 0, 5, q0InSync, Map.of(0, q0Master, 1, q0Slot1)),
                q1Displaced ? new QueueRoute(1, 0, 5, List.of(0), Map.of(0, "n1", 1, "n4"))
                        : new QueueRoute(1, 0, 5, List.of(0, 1), Map.of(0, "n2", 1, "n1"))), 0, false, 0, 1));
        inputs.running("queue", Map.of(new CopyId("t", 0, 0), "n1", new CopyId("t", 1, 0), q1Displaced ? "n1" : "n2"));
    }

    private Set<String> rebalance(Set<String> inProgress) throws Exception {
        IndexedSeq<String> shards = CollectionConverters.asScala(List.of("t/0/1", "t/1/1")).toIndexedSeq();
        Map<akka.actor.ActorRef, IndexedSeq<String>> current = new HashMap<>();
        current.put(region, shards);
        return scala.concurrent.Await.result(strategy.rebalance(current, inProgress), scala.concurrent.duration.Duration.create(5, "s"));
    }

    @Test
    void aReplicaLeftBesideItsMasterByARecordedPromotionMovesOffWhileAnotherHandOffIsInProgress() throws Exception {
        route("n1", List.of(0), "n4", false);   // promoted onto n1: slots swapped, slot 1 names the crashed node, out of sync
        Set<String> out = rebalance(Set.of("t/1/1"));   // an ordinary replica's hand-off is under way
        assertEquals(Set.of("t/0/1"), out, "another replica's hand-off (up to handoff-timeout, 60 s) must not hold this one back");
    }

    @Test
    void aReplicaWhoseHandOffIsAlreadyInProgressIsNotAskedForAgain() throws Exception {
        route("n1", List.of(0), "n4", true);
        assertEquals(Set.of("t/0/1", "t/1/1"), rebalance(Set.of()));
        assertEquals(Set.of("t/0/1"), rebalance(Set.of("t/1/1")));
    }

    @Test
    void aReplicaBesideAMasterWhosePromotionIsNotRecordedStays() throws Exception {
        route("n4", List.of(0, 1), "n1", false);   // the master is placed on n1 but the Broker still has its data on n4
        Set<String> out = rebalance(Set.of("t/1/1"));
        assertTrue(!out.contains("t/0/1"), "it holds the in-sync log the promotion needs: " + out);
        assertTrue(inputs.awaitsPromotion(new CopyId("t", 0, 1)));
    }
}
