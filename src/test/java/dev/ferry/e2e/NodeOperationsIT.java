package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #5 points 5 and 7(e) with three real node processes: the operations Elasticsearch users rely on. A producer
 * sends continuously to a {@code sync} topic (one replica, a few queues) while the test
 * <ul>
 *   <li>drains a node ({@code ferry.allocation.exclude._name}): every copy leaves it — replicas by recovery, masters
 *       by a planned hand-over onto an in-sync replica — and the node is then stopped (SIGTERM, or SIGKILL);</li>
 *   <li>restarts a node ES style, with {@code ferry.allocation.enable = primaries} or {@code none}: only the
 *       restarted node's own copies recover onto it, nothing is rebuilt elsewhere.</li>
 * </ul>
 * Every acknowledged message is then read back exactly once per queue, in order (for the drain also with an
 * {@code async} topic: a master handed over first lets its in-sync replicas catch up). Figures (drain time, recoveries)
 * go to target/e2e-ops/report.txt. HTTP 28280-28282, Akka 26750-26752.
 */
class NodeOperationsIT {

    static final int QUEUES = 3;
    /** Fast failure detection and rebalance rounds, so each operation settles in seconds. */
    static final String FAST = """
            ferry.cluster.acceptable-heartbeat-pause = 2s
            ferry.cluster.stable-after = 2s
            akka.cluster.sharding.rebalance-interval = 2s
            """;

    static NodeProcesses cluster;
    static final List<String> topics = new ArrayList<>();

    @BeforeAll
    static void startThreeNodes() throws Exception {
        cluster = new NodeProcesses(NodeProcesses.ROOT.resolve("target/e2e-ops"), 3, 28280, 26750, FAST);
        cluster.startAll(120);
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) cluster.close();
    }

    /** Back to a healthy three-node cluster with default settings and no test topic, whatever the test did. */
    @AfterEach
    void restoreCluster() throws Exception {
        for (int i = 0; i < cluster.size(); i++) if (!cluster.alive(i)) cluster.start(i);
        for (int i = 0; i < cluster.size(); i++) cluster.awaitHealthy(i, cluster.size(), 120);
        putSettings("{\"persistent\": {\"ferry.allocation.exclude._name\": null, \"ferry.allocation.enable\": null}}");
        for (String t : topics) cluster.send("DELETE", cluster.anyLive(), "/topics/" + t, null, null);
        topics.clear();
    }

    // ------------------------------------------------------------------ drain

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void drainingANodeMovesEveryCopyOffItAndItThenStopsWithSigtermLosingNoAcknowledgedMessage() throws Exception {
        String topic = createTopic("drain-term");
        // The same with async replication: a master handed over waits until its in-sync replicas have what it acknowledged.
        String asyncTopic = createTopic("drain-term-async", "async");
        String drained = masterNode(topic, 0);
        int victim = cluster.indexOf(drained);
        long gap;
        ContinuousProducer producer = new ContinuousProducer(cluster, topic, QUEUES, null, Duration.ofSeconds(5));
        ContinuousProducer asyncProducer = new ContinuousProducer(cluster, asyncTopic, QUEUES, null, Duration.ofSeconds(5));
        producer.start();
        asyncProducer.start();
        try {
            producer.awaitAcks(100, 60);
            asyncProducer.awaitAcks(100, 60);
            long drainMs = drain(List.of(topic, asyncTopic), drained);
            producer.awaitAcks(50, 60);

            producer.avoid(victim);
            asyncProducer.avoid(victim);
            producer.awaitAcks(5, 30); // no send of its own in flight through the node any more
            asyncProducer.awaitAcks(5, 30);
            long stopAt = System.nanoTime();
            cluster.stop(victim, 60);
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
            cluster.note("SIGTERM " + drained + ": exited after " + stopMs + " ms");
            gap = producer.firstAckIssuedAfter(stopAt, 30);
            producer.awaitAcks(50, 60);
            asyncProducer.awaitAcks(50, 60);
            report("drain + SIGTERM: " + drained + " drained (two topics, " + 2 * QUEUES + " queues) in " + drainMs + " ms, exited "
                    + stopMs + " ms after SIGTERM, first send issued after SIGTERM acknowledged after " + gap + " ms");
        } finally {
            producer.finish();
            asyncProducer.finish();
        }
        // Nothing of the topics was on the node: its graceful leave holds up no send through the other nodes.
        assertTrue(gap < 2000, "a send waited " + gap + " ms after the drained node was stopped; logs in " + cluster.home());
        assertEverythingAcknowledgedIsThereOnceInOrder(topic, producer);
        assertEverythingAcknowledgedIsThereOnceInOrder(asyncTopic, asyncProducer);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDrainedNodeKilledWithSigkillHoldsUpNoSend() throws Exception {
        String topic = createTopic("drain-kill");
        String drained = masterNode(topic, 0);
        int victim = cluster.indexOf(drained);
        ContinuousProducer producer = new ContinuousProducer(cluster, topic, QUEUES, null, Duration.ofSeconds(5));
        producer.start();
        long gap;
        try {
            producer.awaitAcks(100, 60);
            long drainMs = drainWithTheCli(topic, drained);
            producer.awaitAcks(50, 60);

            producer.avoid(victim);
            producer.awaitAcks(5, 30); // no send of its own in flight through the node any more
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            cluster.note("SIGKILL " + drained);
            gap = producer.firstAckIssuedAfter(killedAt, 30);
            producer.awaitAcks(100, 60);
            report("drain + SIGKILL: " + drained + " drained in " + drainMs + " ms; first send issued after the SIGKILL acknowledged after "
                    + gap + " ms (failure detection alone takes 2 s + 2 s)");
        } finally {
            producer.finish();
        }
        // Nothing of the topic was on the node, so no send waits for failure detection (2 s pause + 2 s stable-after).
        assertTrue(gap < 2000, "a send waited " + gap + " ms after the drained node was killed; logs in " + cluster.home());
        assertEverythingAcknowledgedIsThereOnceInOrder(topic, producer);
    }

    /** Excludes {@code node} by name and waits until the placement shows nothing on it; returns the time taken. */
    long drain(List<String> topics, String node) throws Exception {
        long start = System.nanoTime();
        putSettings("{\"persistent\": {\"ferry.allocation.exclude._name\": \"" + node + "\"}}");
        cluster.note("exclude._name = " + node);
        return awaitDrained(topics, node, start);
    }

    /** {@code ferry cluster drain NODE --wait 90} (the command line, in this JVM) against another node. */
    long drainWithTheCli(String topic, String node) throws Exception {
        long start = System.nanoTime();
        int via = (cluster.indexOf(node) + 1) % cluster.size();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = dev.ferry.cli.FerryCommand.commandLine().setOut(new java.io.PrintWriter(out, true))
                .setErr(new java.io.PrintWriter(err, true))
                .execute("cluster", "drain", node, "--wait", "90", "--url", "http://127.0.0.1:" + (28280 + via));
        cluster.note("ferry cluster drain " + node + " --wait 90: exit " + exit + "\n" + out + err);
        assertEquals(0, exit, out + "\n" + err);
        assertTrue(out.toString().contains(node + " is drained: nothing runs on it; it can be stopped"), out.toString());
        assertTrue(!placement(topic).containsValue(node), "the command said drained, the placement disagrees: " + placement(topic));
        return awaitDrained(List.of(topic), node, start);
    }

    /** Waits until nothing of {@code topics} runs on {@code node} and every copy runs elsewhere, in sync. */
    long awaitDrained(List<String> topics, String node, long start) throws Exception {
        long deadline = start + TimeUnit.SECONDS.toNanos(90);
        Map<String, String> placement = Map.of();
        while (System.nanoTime() < deadline) {
            placement = new TreeMap<>();
            boolean settled = true;
            for (String topic : topics) {
                Map<String, String> p = placement(topic);
                placement.putAll(p);
                settled &= !p.isEmpty() && copiesRunning(p) == QUEUES * 2 && allInSync(topic);
            }
            if (settled && !placement.containsValue(node)) {
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                cluster.note("drained " + node + " in " + ms + " ms: " + placement);
                return ms;
            }
            Thread.sleep(200);
        }
        fail("copies still on " + node + " (or not all in sync) 90 s after exclude._name: " + placement + "; logs in " + cluster.home());
        return -1;
    }

    // ------------------------------------------------------------------ rolling restart

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void rollingRestartWithAllocationEnablePrimariesRecoversOnlyTheRestartedNodesOwnCopies() throws Exception {
        rollingRestart("roll-primaries", "primaries");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void rollingRestartWithAllocationEnableNoneRecoversOnlyTheRestartedNodesOwnCopies() throws Exception {
        rollingRestart("roll-none", "none");
    }

    /**
     * ES's rolling restart: allocation.enable = {@code enable}, SIGTERM one node, start it on its data, wait until it
     * has rejoined, enable = all. Each queue must end on the same nodes it started on (a master may have been promoted
     * onto its replica's node, which swaps roles, never nodes), and no copy may start anywhere else meanwhile.
     */
    void rollingRestart(String name, String enable) throws Exception {
        String topic = createTopic(name);
        String restarted = masterNode(topic, 0);
        int victim = cluster.indexOf(restarted);
        Map<Integer, Set<String>> before = queueNodes(placement(topic));
        long onRestartedBefore = before.values().stream().filter(s -> s.contains(restarted)).count();
        ContinuousProducer producer = new ContinuousProducer(cluster, topic, QUEUES, null, Duration.ofSeconds(5));
        PlacementWatch watch = new PlacementWatch(topic, before);
        producer.start();
        long recoveryMs;
        int fullCopies;
        Map<String, Set<String>> recovered;
        try {
            producer.awaitAcks(100, 60);
            putSettings("{\"persistent\": {\"ferry.allocation.enable\": \"" + enable + "\"}}");
            cluster.note("allocation.enable = " + enable + "; placement before " + before);
            watch.start();
            Path log = cluster.home().resolve(restarted + ".log");
            long logBefore = Files.size(log);
            long[] logsBefore = new long[cluster.size()];
            for (int i = 0; i < cluster.size(); i++) logsBefore[i] = Files.size(cluster.home().resolve(NodeProcesses.name(i) + ".log"));

            producer.avoid(victim);
            producer.awaitAcks(5, 30);
            long stopAt = System.nanoTime();
            cluster.stop(victim, 60);
            producer.awaitAcks(50, 60);
            long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
            cluster.start(victim);
            for (int i = 0; i < cluster.size(); i++) cluster.awaitHealthy(i, cluster.size(), 120);
            producer.avoid(-1);
            producer.awaitAcks(50, 60);
            cluster.note(restarted + " rejoined; allocation.enable = all");

            long enabledAt = System.nanoTime();
            putSettings("{\"persistent\": {\"ferry.allocation.enable\": null}}");
            awaitSettled(topic, 90);
            recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - enabledAt);
            producer.awaitAcks(50, 60);
            watch.finish();
            fullCopies = countLines(log, logBefore, "copying it again from the master");
            recovered = recoveredCopies(topic, logsBefore, placement(topic));
            report("rolling restart, enable=" + enable + ": " + restarted + " held copies of " + onRestartedBefore + " of "
                    + QUEUES + " queues; down and back in " + downMs + " ms (stop to SIGTERM'd exit and restart issued)"
                    + "; enable=all -> every copy running and in sync in " + recoveryMs + " ms; copies on " + restarted
                    + " recopied in full from their master: " + fullCopies + "; copies started off their queue's nodes: "
                    + watch.strays.size() + "; replicas that recovered and joined the in-sync set, by node: " + recovered);
        } finally {
            watch.finish();
            producer.finish();
        }

        Map<Integer, Set<String>> after = queueNodes(placement(topic));
        assertTrue(watch.strays.isEmpty(), "copies started on nodes their queue was not on during the restart: " + watch.strays
                + "; logs in " + cluster.home());
        assertEquals(before, after, "each queue must end on the nodes it started on");
        assertEquals(Set.of(restarted), recovered.keySet(), "only copies on the restarted node may recover: " + recovered);
        assertEquals(onRestartedBefore, recovered.get(restarted).size(), "one recovery per copy " + restarted + " held: " + recovered);
        assertEquals(onRestartedBefore, after.values().stream().filter(s -> s.contains(restarted)).count(),
                restarted + " must get back a copy of each queue it held");
        assertEverythingAcknowledgedIsThereOnceInOrder(topic, producer);
    }

    /** Polls the placement during a restart and keeps every copy seen running on a node its queue was not on. */
    static final class PlacementWatch extends Thread {
        final String topic;
        final Map<Integer, Set<String>> allowed;
        final Set<String> strays = Collections.synchronizedSet(new TreeSet<>());
        final AtomicBoolean stop = new AtomicBoolean();

        PlacementWatch(String topic, Map<Integer, Set<String>> allowed) {
            super("placement-watch-" + topic);
            this.topic = topic;
            this.allowed = allowed;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    placement(topic).forEach((entity, node) -> {
                        if (entity.startsWith("broker:")) return;
                        int queue = queueOf(entity);
                        if (!allowed.getOrDefault(queue, Set.of()).contains(node)) strays.add(entity + "@" + node);
                    });
                    Thread.sleep(300);
                } catch (IOException | RuntimeException notNow) {
                    // a node is restarting
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            stop.set(true);
            join(10_000);
        }
    }

    // ------------------------------------------------------------------ checks

    /** Every queue holds each acknowledged message exactly once, in the order it was acknowledged. */
    static void assertEverythingAcknowledgedIsThereOnceInOrder(String topic, ContinuousProducer producer) throws Exception {
        int total = 0;
        for (int q = 0; q < QUEUES; q++) {
            List<String> acked = producer.acked(q);
            List<String> log = cluster.readQueue(topic, q);
            ContinuousProducer.Check check = ContinuousProducer.check(acked, log);
            total += acked.size();
            assertTrue(check.lost().isEmpty(), topic + "/" + q + ": " + check.lost().size() + " acknowledged messages lost, e.g. "
                    + check.lost().stream().limit(10).toList() + "; logs in " + cluster.home());
            assertTrue(check.duplicated().isEmpty(), topic + "/" + q + ": stored twice: " + check.duplicated().stream().limit(10).toList());
            assertEquals(0, check.outOfOrder(), topic + "/" + q + ": acknowledged messages out of acknowledgement order");
        }
        cluster.note(topic + ": " + total + " acknowledged messages read back once each, in order");
        assertTrue(total >= 300, "too few sends acknowledged to mean anything: " + total);
    }

    // ------------------------------------------------------------------ HTTP

    static String createTopic(String topic) throws Exception {
        return createTopic(topic, "sync");
    }

    static String createTopic(String topic, String replication) throws Exception {
        HttpResponse<String> r = cluster.send("PUT", cluster.anyLive(), "/topics/" + topic, "application/json",
                "{\"queues\": " + QUEUES + ", \"replicas\": 1, \"replication\": \"" + replication + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        topics.add(topic);
        awaitSettled(topic, 120);
        return topic;
    }

    static void putSettings(String body) throws Exception {
        HttpResponse<String> r = cluster.send("PUT", cluster.anyLive(), "/cluster/settings", "application/json", body);
        assertEquals(200, r.statusCode(), r.body());
        // Every node (the shard coordinators' too) has the change before the test stops a node.
        assertTrue(NodeProcesses.JSON.readTree(r.body()).path("acknowledged").asBoolean(), r.body());
    }

    static JsonNode queueStates(String topic) throws IOException, InterruptedException {
        HttpResponse<String> r = cluster.send("GET", cluster.anyLive(), "/topics/" + topic, null, null);
        if (r.statusCode() != 200) return null;
        return NodeProcesses.JSON.readTree(r.body()).path("queueStates");
    }

    static String masterNode(String topic, int queue) throws Exception {
        JsonNode q = queueStates(topic);
        String node = q == null ? "" : q.path(queue).path("master").path("node").asText("");
        if (node.isEmpty()) fail(topic + "/" + queue + " has no master: " + q);
        return node;
    }

    /** Every queue's master serves and every copy is in the in-sync set on a node. */
    static boolean allInSync(String topic) throws IOException, InterruptedException {
        JsonNode states = queueStates(topic);
        if (states == null || states.size() != QUEUES) return false;
        for (JsonNode q : states) {
            if (q.path("maxOffset").asLong(-1) < 0 || q.path("copies").size() != 2) return false;
            for (JsonNode c : q.path("copies")) if (!c.path("inSync").asBoolean(false) || c.path("node").asText("").isEmpty()) return false;
        }
        return true;
    }

    /**
     * Whether no node copies a log right now (GET /cluster/recoveries "active"). A relocation keeps its source replica
     * in sync while the target copies the log, so placement and in-sync flags alone do not show a move under way.
     */
    /**
     * When the last recovery or relocation copy on any node ended (epoch ms), or {@code Long.MAX_VALUE} while one is
     * under way. A relocation copy can start and end between two polls (tens of ms for an empty log), and its replica
     * moves only at the next rebalance after it: the finished ones' end times show it.
     */
    static long recoveriesEndedAt() throws IOException, InterruptedException {
        long last = 0;
        for (int i = 0; i < cluster.size(); i++) {
            HttpResponse<String> r;
            try {
                r = cluster.send("GET", i, "/cluster/recoveries", null, null);
            } catch (java.net.ConnectException down) {
                continue; // a stopped node copies nothing
            }
            var json = NodeProcesses.JSON.readTree(r.body());
            if (r.statusCode() != 200 || json.path("active").size() > 0) return Long.MAX_VALUE;
            for (var done : json.path("recoveries")) last = Math.max(last, done.path("startedAt").asLong() + done.path("tookMs").asLong());
        }
        return last;
    }

    /**
     * Waits until every copy runs (two per queue, on two nodes) and is in sync, no recovery or relocation copy is under
     * way or ended less than 3 s ago, and the placement is stable for 3 s (both longer than the rebalance interval that
     * hands a copied replica off).
     */
    static void awaitSettled(String topic, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, String> last = null;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            try {
                Map<String, String> now = placement(topic);
                if (!now.equals(last)) stableSince = System.nanoTime();
                last = now;
                boolean spread = queueNodes(now).values().stream().allMatch(s -> s.size() == 2);
                if (copiesRunning(now) == QUEUES * 2 && spread && allInSync(topic)
                        && System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(3)
                        && System.currentTimeMillis() - recoveriesEndedAt() > 3_000) return;
            } catch (IOException notNow) {
                // a node is restarting
            }
            Thread.sleep(250);
        }
        fail(topic + ": copies not all running and in sync after " + seconds + " s: " + last + " " + queueStates(topic)
                + "; logs in " + cluster.home());
    }

    /** "type:entity" -> node for the topic's broker, masters and replicas, as GET /cluster/placement shows them. */
    static Map<String, String> placement(String topic) throws IOException, InterruptedException {
        HttpResponse<String> r = cluster.send("GET", cluster.anyLive(), "/cluster/placement", null, null);
        if (r.statusCode() != 200) throw new IOException("placement: " + r.statusCode() + " " + r.body());
        Map<String, String> out = new TreeMap<>();
        for (JsonNode c : NodeProcesses.JSON.readTree(r.body()).path("copies"))
            if (c.path("topic").asText().equals(topic)) out.put(c.path("type").asText() + ":" + c.path("entity").asText(), c.path("node").asText());
        return out;
    }

    static long copiesRunning(Map<String, String> placement) {
        return placement.keySet().stream().filter(k -> !k.startsWith("broker:")).count();
    }

    /** Queue id -> the nodes its copies run on. */
    static Map<Integer, Set<String>> queueNodes(Map<String, String> placement) {
        Map<Integer, Set<String>> out = new TreeMap<>();
        placement.forEach((entity, node) -> {
            if (!entity.startsWith("broker:")) out.computeIfAbsent(queueOf(entity), q -> new TreeSet<>()).add(node);
        });
        return out;
    }

    /** "queue:t/0" -> 0, "replica:t/0/1" -> 0. */
    static int queueOf(String entity) {
        String[] parts = entity.substring(entity.indexOf(':') + 1).split("/");
        return Integer.parseInt(parts[1]);
    }

    /**
     * Node -> replica copies of {@code topic} that joined their master's in-sync set since the logs had the sizes in
     * {@code logsBefore} (a master logs "replica N caught up at seq S, joins the in-sync set"), placed by {@code placement}.
     */
    static Map<String, Set<String>> recoveredCopies(String topic, long[] logsBefore, Map<String, String> placement) throws IOException {
        java.util.regex.Pattern joined = java.util.regex.Pattern.compile("queue " + java.util.regex.Pattern.quote(topic)
                + "/(\\d+): replica (\\d+) caught up at seq \\d+, joins the in-sync set");
        Map<String, Set<String>> out = new TreeMap<>();
        for (int i = 0; i < logsBefore.length; i++) {
            Path log = cluster.home().resolve(NodeProcesses.name(i) + ".log");
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logsBefore[i], all.length);
            for (String line : new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
                java.util.regex.Matcher m = joined.matcher(line);
                if (!m.find()) continue;
                String entity = "replica:" + topic + "/" + m.group(1) + "/" + m.group(2);
                out.computeIfAbsent(placement.getOrDefault(entity, "?"), n -> new TreeSet<>()).add(entity);
            }
        }
        return out;
    }

    static int countLines(Path log, long from, String text) throws IOException {
        byte[] all = Files.readAllBytes(log);
        String tail = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), java.nio.charset.StandardCharsets.UTF_8);
        return (int) tail.lines().filter(l -> l.contains(text)).count();
    }

    static void report(String line) throws IOException {
        cluster.note(line);
        System.out.println(line);
        Files.writeString(cluster.home().resolve("report.txt"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
