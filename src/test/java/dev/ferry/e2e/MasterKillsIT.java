package dev.ferry.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #5 point 7 (a) and (b) with three real node processes: two producers send continuously, one to a topic with
 * {@code sync} replication and one to a topic with {@code async} replication (one queue, one replica each), while the
 * test SIGKILLs the node holding the sync queue's master, 20 times, restarting it on its data each time. Afterwards
 * the sync queue must hold every acknowledged message exactly once, in the order it was acknowledged; the async queue
 * must hold no message twice and keep the order, and the test reports how many of its acknowledged messages were
 * lost. Failover time (SIGKILL to the first acknowledged send issued after it) is reported per kill, median and max,
 * in target/e2e-kills/report.txt. HTTP 28180-28182, Akka 26650-26652.
 */
class MasterKillsIT {

    static final int KILLS = Integer.getInteger("ferry.e2e.kills", 20);
    static final String SYNC = "kills-sync";
    static final String ASYNC = "kills-async";
    /** Failure detection as an operator who wants fast failover sets it (the figures in BENCHMARKS.md use these). */
    static final String FAST_FAILOVER = """
            ferry.cluster.heartbeat-interval = 500ms
            ferry.cluster.acceptable-heartbeat-pause = 1500ms
            ferry.cluster.stable-after = 1500ms
            """;

    /** A producer's send timeout (RocketMQ's sendMsgTimeout is 3 s): a send to a queue whose master just died waits this long. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);

    static NodeProcesses cluster;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        cluster = new NodeProcesses(NodeProcesses.ROOT.resolve("target/e2e-kills"), 3, 28180, 26650, FAST_FAILOVER);
        cluster.startAll(120);
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void everyMessageAcknowledgedWithSyncReplicationSurvivesRepeatedKillsOfTheMastersNode() throws Exception {
        createTopic(SYNC, "sync");
        createTopic(ASYNC, "async");
        cluster.awaitInSync(SYNC, 120);
        cluster.awaitInSync(ASYNC, 120);

        ContinuousProducer sync = new ContinuousProducer(cluster, SYNC, 1, null, SEND_TIMEOUT);
        ContinuousProducer async = new ContinuousProducer(cluster, ASYNC, 1, null, SEND_TIMEOUT);
        sync.start();
        async.start();
        List<Long> failoverMillis = new ArrayList<>();
        int asyncMasterKills = 0;
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                cluster.awaitInSync(SYNC, 120);
                try {
                    cluster.awaitInSync(ASYNC, 30); // async replicas follow: the loss count is what the test reports
                } catch (AssertionError lagging) {
                    cluster.note("kill " + kill + ": async replica not in sync: " + lagging.getMessage());
                }
                sync.awaitAcks(20, 60);
                String victimName = cluster.masterNode(SYNC);
                int victim = cluster.indexOf(victimName);
                if (victimName.equals(cluster.masterNode(ASYNC))) asyncMasterKills++;
                cluster.kill(victim);
                long killedAt = System.nanoTime(); // once the process is gone: a send issued before may still be acked
                cluster.note("kill " + kill + ": SIGKILL " + victimName + " (sync acks so far " + sync.acked() + ")");
                long failover = sync.firstAckIssuedAfter(killedAt, 90);
                failoverMillis.add(failover);
                cluster.note("kill " + kill + ": first sync ack " + failover + " ms after the kill; restarting " + victimName);
                cluster.start(victim);
                for (int i = 0; i < cluster.size(); i++) cluster.awaitHealthy(i, cluster.size(), 120);
            }
            sync.awaitAcks(20, 60);
        } finally {
            sync.finish();
            async.finish();
        }

        List<String> syncLog = cluster.readQueue(SYNC);
        List<String> asyncLog = cluster.readQueue(ASYNC);
        ContinuousProducer.Check syncCheck = ContinuousProducer.check(sync.acked(0), syncLog);
        ContinuousProducer.Check asyncCheck = ContinuousProducer.check(async.acked(0), asyncLog);
        List<Long> sorted = new ArrayList<>(failoverMillis);
        Collections.sort(sorted);
        String report = "kills: " + KILLS + "\n"
                + "failover ms (SIGKILL of the sync master's node -> first acknowledged send issued after it): " + failoverMillis + "\n"
                + "failover median " + sorted.get(sorted.size() / 2) + " ms, max " + sorted.get(sorted.size() - 1) + " ms\n"
                + "sync: acknowledged " + sync.acked() + ", in the log " + syncLog.size() + ", lost " + syncCheck.lost().size()
                + ", duplicated " + syncCheck.duplicated().size() + ", out of order " + syncCheck.outOfOrder() + "\n"
                + "async: acknowledged " + async.acked() + ", in the log " + asyncLog.size() + ", lost " + asyncCheck.lost().size()
                + " (its master's node was killed " + asyncMasterKills + " times), duplicated " + asyncCheck.duplicated().size()
                + ", out of order " + asyncCheck.outOfOrder() + "\n";
        Files.writeString(cluster.home().resolve("report.txt"), report);
        System.out.println(report);

        assertTrue(sync.acked() > KILLS * 20, "too few sync sends acknowledged to mean anything: " + sync.acked());
        assertTrue(syncCheck.lost().isEmpty(), syncCheck.lost().size() + " acknowledged sync messages lost, e.g. "
                + syncCheck.lost().stream().limit(10).toList() + "; logs in " + cluster.home());
        assertTrue(syncCheck.duplicated().isEmpty(), "sync messages stored twice: " + syncCheck.duplicated().stream().limit(10).toList());
        assertEquals(0, syncCheck.outOfOrder(), "acknowledged sync messages out of acknowledgement order");
        assertTrue(asyncCheck.duplicated().isEmpty(), "async messages stored twice: " + asyncCheck.duplicated().stream().limit(10).toList());
        assertEquals(0, asyncCheck.outOfOrder(), "surviving async messages out of acknowledgement order");
    }

    static void createTopic(String topic, String replication) throws Exception {
        HttpResponse<String> r = cluster.send("PUT", 0, "/topics/" + topic, "application/json",
                "{\"queues\": 1, \"replicas\": 1, \"replication\": \"" + replication + "\"}");
        assertEquals(201, r.statusCode(), r.body());
    }
}
