package dev.ferry.cluster;

import dev.ferry.node.FerryNode;
import dev.ferry.node.InJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three nodes whose split-brain resolver would wait a minute before downing a lost node: only the refused-connection
 * probe can remove the crashed one in time. (The leader removes a downed member once the failure detector also finds
 * it unreachable, here after the 3 s heartbeat pause.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashDetectorTest {

    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = InJvmCluster.start("d", 3, false, i -> String.join("\n",
                "ferry.cluster.acceptable-heartbeat-pause = 3s",
                "ferry.cluster.stable-after = 60s",
                "ferry.cluster.refused-connection-probe-interval = 100ms",
                // stop without leaving the cluster: a crash as the other nodes see it
                "akka.coordinated-shutdown.run-by-actor-system-terminate = off"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.stop();
    }

    @Test @Order(1)
    void membersThatAcceptTheProbesAreNeverDowned() throws Exception {
        Thread.sleep(2_000); // ~20 probe rounds
        for (FerryNode n : cluster.live()) assertEquals(3, InJvmCluster.up(n));
    }

    @Test @Order(2)
    void aMemberWhosePortRefusesConnectionsIsRemovedWithoutWaitingForTheSplitBrainResolver() throws Exception {
        long t0 = System.nanoTime();
        cluster.terminate(2);
        InJvmCluster.eventually(15_000, () -> cluster.live().stream().allMatch(n ->
                InJvmCluster.up(n) == 2 && members(n) == 2));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("crashed member removed " + ms + " ms after its system stopped");
    }

    static int members(FerryNode n) {
        int c = 0;
        for (var ignored : akka.cluster.typed.Cluster.get(n.system()).state().getMembers()) c++;
        return c;
    }
}
