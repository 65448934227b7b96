package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.NodeConfigFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three real node processes started with {@code bin/ferry start -c <file>} (HTTP 28080-28082, Akka 26550-26552,
 * zones a/b/c, files and logs under target/e2e). One topic with a replica per queue takes 10,000 messages over
 * HTTP; a consumer group reads them; a node holding no master is SIGKILLed mid-way and restarted; every
 * acknowledged message must be consumed exactly once per queue with the body it was sent with. Bad input over
 * HTTP must get clear 4xx answers and leave every node healthy. Logs stay in target/e2e for diagnosis.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path HOME = ROOT.resolve("target/e2e");
    private static final int NODES = 3;
    private static final int HTTP_BASE = 28080;
    private static final int AKKA_BASE = 26550;
    private static final int MESSAGES = 10_000;
    private static final String TOPIC = "e2e-orders";
    private static final String GROUP = "e2e-group";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Process[] processes = new Process[NODES];
    private static final Thread KILL_ON_EXIT = new Thread(ThreeNodeProcessesIT::killAll, "e2e-kill-nodes");

    @BeforeAll
    static void startThreeNodes() throws Exception {
        deleteRecursively(HOME);
        Files.createDirectories(HOME);
        Runtime.getRuntime().addShutdownHook(KILL_ON_EXIT);
        List<String> seeds = IntStream.range(0, NODES).mapToObj(i -> "127.0.0.1:" + (AKKA_BASE + i)).toList();
        for (int i = 0; i < NODES; i++) {
            new NodeConfigFile(name(i), "zone-" + (char) ('a' + i), HOME.resolve(name(i)).resolve("data"),
                    HTTP_BASE + i, AKKA_BASE + i, seeds, null).writeTo(conf(i));
            start(i);
        }
        for (int i = 0; i < NODES; i++) {
            awaitHealthy(i, NODES, 120);
        }
    }

    @AfterAll
    static void stopNodes() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(KILL_ON_EXIT);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    // ------------------------------------------------------------------ bad input (after the failover: the nodes must be fine)

    @Test
    @Order(2)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badInputGetsClear4xxAnswersAndLeavesEveryNodeHealthy() throws Exception {
        expectError(send("PUT", 0, "/topics/bad-json", "application/json", "{\"queues\": 4,"), 400, "invalid_json");
        expectError(send("PUT", 0, "/topics/bad-types", "application/json", "{\"queues\": \"four\"}"), 400, "invalid_json");
        expectError(send("PUT", 1, "/topics/bad-range", "application/json", "{\"queues\": 0}"), 400, null);
        expectError(send("PUT", 1, "/topics/bad-mode", "application/json", "{\"flush\": \"sometimes\"}"), 400, null);
        for (String hostile : List.of("..%2Fx", "..%2F..%2Fetc%2Fpasswd", "a%20b", "%00x", "x".repeat(200), "caf%C3%A9")) {
            expectError(send("PUT", 2, "/topics/" + hostile, "application/json", "{}"), 400, "invalid_topic_name");
            expectError(send("POST", 0, "/topics/" + hostile + "/messages", "text/plain", "hi"), 400, "invalid_topic_name");
        }
        expectError(send("POST", 0, "/groups/..%2Fg/pull", "application/json", "{\"topic\": \"t\", \"consumer\": \"c\"}"), 400, "invalid_group_name");

        assertEquals(201, send("PUT", 0, "/topics/e2e-small", "application/json", "{\"queues\": 1, \"maxMessageSize\": 1024}").statusCode());
        expectError(send("POST", 1, "/topics/e2e-small/messages", "application/octet-stream", "x".repeat(2000)), 413, "message_too_large");
        expectError(send("POST", 1, "/topics/e2e-small/messages:batch", "application/json", "{\"messages\": [{\"body\": 5}]}"), 400, null);
        expectError(send("POST", 2, "/topics/e2e-small/messages:batch", "application/json", "{\"messages\": [{\"body\": \"a\"}, {\"body\": \""
                + "y".repeat(2000) + "\"}]}"), 413, "message_too_large");
        expectError(send("POST", 2, "/topics/e2e-small/messages:batch", "application/json", "[1, 2"), 400, "invalid_json");
        expectError(send("GET", 0, "/topics/e2e-small/queues/0/messages?offset=abc", null, null), 400, null);
        expectError(send("GET", 0, "/topics/e2e-small/queues/7/messages", null, null), 404, "queue_not_found");
        expectError(send("POST", 0, "/topics/e2e-small/messages", "application/octet-stream", "ok", "Ferry-Queue", "not-a-number"), 400, "invalid_header");

        for (int i = 0; i < NODES; i++) {
            HttpResponse<String> health = send("GET", i, "/health", null, null);
            assertEquals(200, health.statusCode(), name(i) + " after bad input: " + health.body());
        }
        HttpResponse<String> stillWorks = send("POST", 2, "/topics/e2e-small/messages", "text/plain", "fine");
        assertEquals(201, stillWorks.statusCode(), stillWorks.body());
    }

    // ------------------------------------------------------------------ failover

    @Test
    @Order(1)
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void everyAcknowledgedMessageIsConsumedOnceAcrossTheLossAndReturnOfANodeWithoutMasters() throws Exception {
        // Two queues with one replica each: four copies on three nodes, so at least one node holds no master.
        HttpResponse<String> created = send("PUT", 0, "/topics/" + TOPIC, "application/json", "{\"queues\": 2, \"replicas\": 1}");
        assertEquals(201, created.statusCode(), created.body());
        Map<Integer, String> masters = awaitMasters(60);

        Map<String, String> sent = sendAll();   // "queue/offset" -> body
        assertEquals(MESSAGES, sent.size(), "every message acknowledged at its own queue/offset");

        Map<String, String> received = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        consume(MESSAGES / 2, received, duplicates, 60);

        int victim = nodeWithoutMaster();
        note("masters " + masters + "; killing " + name(victim) + " (SIGKILL) after " + received.size() + " consumed; placement: "
                + send("GET", victim, "/cluster/placement", null, null).body());
        processes[victim].destroyForcibly().waitFor(10, TimeUnit.SECONDS);   // SIGKILL
        assertFalse(processes[victim].isAlive());

        consume(MESSAGES * 3 / 4, received, duplicates, 60);
        note("consumed " + received.size() + " (duplicates so far " + duplicates.size() + "); restarting " + name(victim));
        start(victim);
        awaitHealthy(victim, NODES, 90);
        consume(MESSAGES, received, duplicates, 60);
        note("consumed " + received.size() + ", duplicates " + duplicates.size());

        assertTrue(duplicates.isEmpty(), duplicates.size() + " deliveries of already consumed messages within a queue (e.g. "
                + duplicates.stream().limit(10).toList() + "); see " + HOME.resolve("scenario.log"));
        Set<String> lost = new HashSet<>(sent.keySet());
        lost.removeAll(received.keySet());
        assertTrue(lost.isEmpty(), lost.size() + " acknowledged messages never consumed, e.g. " + lost.stream().limit(10).toList());
        Set<String> unknown = new HashSet<>(received.keySet());
        unknown.removeAll(sent.keySet());
        assertTrue(unknown.isEmpty(), "consumed messages nobody sent: " + unknown.stream().limit(10).toList());
        for (Map.Entry<String, String> e : sent.entrySet()) {
            assertEquals(e.getValue(), received.get(e.getKey()), "body of " + e.getKey());
        }
        for (int i = 0; i < NODES; i++) {
            assertEquals(200, send("GET", i, "/health", null, null).statusCode(), name(i) + " healthy at the end");
        }
    }

    /** Sends the messages in batches of 100 to alternating nodes; returns queue/offset -> body of each ack. */
    private static Map<String, String> sendAll() throws Exception {
        Map<String, String> sent = new TreeMap<>();
        for (int start = 0; start < MESSAGES; start += 100) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode messages = body.putArray("messages");
            List<String> texts = new ArrayList<>();
            for (int i = start; i < start + 100; i++) {
                String text = "message-" + i;
                texts.add(text);
                messages.addObject().put("body", text);
            }
            HttpResponse<String> r = send("POST", (start / 100) % NODES, "/topics/" + TOPIC + "/messages:batch", "application/json", body.toString());
            assertEquals(201, r.statusCode(), r.body());
            JsonNode results = JSON.readTree(r.body()).path("results");
            assertEquals(100, results.size(), r.body());
            for (int k = 0; k < 100; k++) {
                String key = results.get(k).path("queue").asInt() + "/" + results.get(k).path("offset").asLong();
                assertEquals(null, sent.put(key, texts.get(k)), "two acks for " + key);
            }
        }
        return sent;
    }

    /**
     * Pulls as consumer "c1" of the group from whichever live node answers, committing after every pull, until
     * {@code total} messages were received. 503s while the cluster re-forms are retried.
     */
    private static void consume(int total, Map<String, String> received, List<String> duplicates, int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String pull = JSON.createObjectNode().put("topic", TOPIC).put("consumer", "c1").put("max", 500).put("waitMs", 500).toString();
        int node = 0;
        while (received.size() < total) {
            if (System.nanoTime() > deadline) {
                fail("consumed " + received.size() + " of " + total + " in " + timeoutSeconds + " s; logs in " + HOME);
            }
            node = nextLive(node);
            HttpResponse<String> r;
            try {
                r = send("POST", node, "/groups/" + GROUP + "/pull", "application/json", pull);
            } catch (IOException unreachable) {
                node++;
                Thread.sleep(200);
                continue;
            }
            if (r.statusCode() == 503) {
                node++;
                Thread.sleep(200);
                continue;
            }
            assertEquals(200, r.statusCode(), r.body());
            Map<Integer, Long> commits = new TreeMap<>();
            for (JsonNode m : JSON.readTree(r.body()).path("messages")) {
                String key = m.path("queue").asInt() + "/" + m.path("offset").asLong();
                if (received.put(key, m.path("body").asText()) != null) {
                    duplicates.add(key);
                }
                commits.merge(m.path("queue").asInt(), m.path("offset").asLong() + 1, Math::max);
            }
            for (Map.Entry<Integer, Long> c : commits.entrySet()) {
                String commit = JSON.createObjectNode().put("topic", TOPIC).put("queue", c.getKey()).put("offset", c.getValue()).toString();
                commitWithRetry(node, commit, deadline);
            }
        }
    }

    private static void commitWithRetry(int node, String commit, long deadline) throws Exception {
        while (true) {
            node = nextLive(node);
            try {
                HttpResponse<String> r = send("POST", node, "/groups/" + GROUP + "/commit", "application/json", commit);
                if (r.statusCode() == 200) {
                    return;
                }
                if (r.statusCode() != 503) {
                    fail("commit " + commit + ": HTTP " + r.statusCode() + " " + r.body());
                }
            } catch (IOException unreachable) {
                // try the next node
            }
            if (System.nanoTime() > deadline) {
                fail("commit " + commit + " kept failing; logs in " + HOME);
            }
            node++;
            Thread.sleep(200);
        }
    }

    private static int nextLive(int node) {
        for (int k = 0; k < NODES; k++) {
            int i = (node + k) % NODES;
            if (processes[i] != null && processes[i].isAlive()) {
                return i;
            }
        }
        throw new IllegalStateException("no node process alive; logs in " + HOME);
    }

    /** Waits until every queue of the topic has a started master; returns queue -> master node name. */
    private static Map<Integer, String> awaitMasters(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            HttpResponse<String> r = send("GET", 0, "/topics/" + TOPIC, null, null);
            if (r.statusCode() == 200) {
                Map<Integer, String> masters = new TreeMap<>();
                for (JsonNode q : JSON.readTree(r.body()).path("queueStates")) {
                    String node = q.path("master").path("node").asText("");
                    if (!node.isEmpty() && q.path("maxOffset").asLong(-1) >= 0) {
                        masters.put(q.path("queue").asInt(), node);
                    }
                }
                if (masters.size() == 2) {
                    return masters;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("masters of " + TOPIC + " not started after " + seconds + " s: " + r.body());
            }
            Thread.sleep(500);
        }
    }

    /** A node that is master of no queue of any topic (per /cluster/placement), preferring the youngest. */
    private static int nodeWithoutMaster() throws Exception {
        HttpResponse<String> r = send("GET", 0, "/cluster/placement", null, null);
        assertEquals(200, r.statusCode(), r.body());
        Set<String> holding = new HashSet<>();
        for (JsonNode c : JSON.readTree(r.body()).path("copies")) {
            if ("master".equals(c.path("role").asText())) {
                holding.add(c.path("node").asText());
            }
        }
        for (int i = NODES - 1; i >= 0; i--) {
            if (!holding.contains(name(i))) {
                return i;
            }
        }
        throw new AssertionError("every node holds a master: " + r.body());
    }

    // ------------------------------------------------------------------ processes and HTTP

    /** Appends a line to target/e2e/scenario.log, the test's own account of what it did, beside the node logs. */
    private static void note(String line) throws IOException {
        Files.writeString(HOME.resolve("scenario.log"), java.time.LocalTime.now() + " " + line + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static String name(int i) {
        return "node" + (i + 1);
    }

    private static Path conf(int i) {
        return HOME.resolve(name(i)).resolve("node.conf");
    }

    private static void start(int i) throws IOException {
        Path log = HOME.resolve(name(i) + ".log");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/ferry").toString(), "start", "-c", conf(i).toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("FERRY_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC");
        processes[i] = pb.start();
    }

    private static void killAll() {
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Waits until node i answers /health with 200 and sees {@code members} members. */
    private static void awaitHealthy(int i, int members, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!processes[i].isAlive()) {
                fail(name(i) + " exited with " + processes[i].exitValue() + "; see " + HOME.resolve(name(i) + ".log"));
            }
            try {
                HttpResponse<String> r = send("GET", i, "/health", null, null);
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && JSON.readTree(r.body()).path("members").asInt() == members
                        && JSON.readTree(r.body()).path("unreachable").asInt() == 0) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        fail(name(i) + " not healthy with " + members + " members after " + seconds + " s (last: " + last + "); see "
                + HOME.resolve(name(i) + ".log"));
    }

    private static HttpResponse<String> send(String method, int node, String path, String contentType, String body,
                                             String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (HTTP_BASE + node) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int h = 0; h + 1 < headers.length; h += 2) {
            b.header(headers[h], headers[h + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A 4xx answer with the given status and a JSON body naming the error and saying what to fix. */
    private static void expectError(HttpResponse<String> r, int status, String error) throws IOException {
        String what = r.request().method() + " " + r.request().uri().getRawPath();
        assertEquals(status, r.statusCode(), what + " -> " + r.body());
        JsonNode body = JSON.readTree(r.body());
        if (error != null) {
            assertEquals(error, body.path("error").asText(), what + " -> " + r.body());
        } else {
            assertFalse(body.path("error").asText().isBlank(), what + " -> " + r.body());
        }
        assertFalse(body.path("detail").asText().isBlank(), what + " has no detail: " + r.body());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
