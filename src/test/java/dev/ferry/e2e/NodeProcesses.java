package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.NodeConfigFile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real Ferry node processes on loopback for the process tests: each started with {@code bin/ferry start -c <file>}
 * (its own HOCON file, data directory and log under {@code home}), killed with SIGKILL, restarted on the same data.
 * Node i is named node{i+1} and sits in zone-a, -b, ...; on loopback it listens for HTTP on httpBase+i and for Akka on
 * akkaBase+i, or on the host and ports given (e.g. one network namespace per node).
 */
final class NodeProcesses implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    private final Path home;
    private final List<String> hosts;
    private final List<Integer> httpPorts;
    private final List<List<String>> launchers;
    private final Process[] processes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread killOnExit = new Thread(this::killAll, "e2e-kill-nodes");

    /**
     * Writes the node files (fresh: {@code home} is emptied) with {@code extra} HOCON appended to each. Node i binds
     * HTTP and Akka to hosts[i] on its own ports and is started through launchers[i] (e.g. {@code ip netns exec ns}).
     */
    NodeProcesses(Path home, List<String> hosts, List<Integer> httpPorts, List<Integer> akkaPorts, List<List<String>> launchers,
                  String extra) throws IOException {
        this.home = home;
        this.hosts = List.copyOf(hosts);
        this.httpPorts = List.copyOf(httpPorts);
        this.launchers = List.copyOf(launchers);
        int nodes = hosts.size();
        this.processes = new Process[nodes];
        deleteRecursively(home);
        Files.createDirectories(home);
        List<String> seeds = IntStream.range(0, nodes).mapToObj(i -> hosts.get(i) + ":" + akkaPorts.get(i)).toList();
        for (int i = 0; i < nodes; i++) {
            String bind = "ferry.http.host = \"" + hosts.get(i) + "\"\nferry.cluster.host = \"" + hosts.get(i) + "\"\n";
            new NodeConfigFile(name(i), "zone-" + (char) ('a' + i), home.resolve(name(i)).resolve("data"),
                    httpPorts.get(i), akkaPorts.get(i), seeds, bind + (extra == null ? "" : extra)).writeTo(conf(i));
        }
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** {@code nodes} nodes on 127.0.0.1: HTTP on httpBase+i, Akka on akkaBase+i. */
    NodeProcesses(Path home, int nodes, int httpBase, int akkaBase, String extra) throws IOException {
        this(home, java.util.Collections.nCopies(nodes, "127.0.0.1"),
                IntStream.range(0, nodes).mapToObj(i -> httpBase + i).toList(),
                IntStream.range(0, nodes).mapToObj(i -> akkaBase + i).toList(),
                java.util.Collections.nCopies(nodes, List.of()), extra);
    }

    int size() {
        return processes.length;
    }

    Path home() {
        return home;
    }

    static String name(int i) {
        return "node" + (i + 1);
    }

    int indexOf(String name) {
        for (int i = 0; i < processes.length; i++) if (name(i).equals(name)) return i;
        throw new IllegalArgumentException("no node " + name);
    }

    private Path conf(int i) {
        return home.resolve(name(i)).resolve("node.conf");
    }

    void start(int i) throws IOException {
        Path log = home.resolve(name(i) + ".log");
        List<String> command = new java.util.ArrayList<>(launchers.get(i));
        command.addAll(List.of(ROOT.resolve("bin/ferry").toString(), "start", "-c", conf(i).toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("FERRY_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        processes[i] = pb.start();
    }

    void startAll(int healthySeconds) throws Exception {
        for (int i = 0; i < processes.length; i++) start(i);
        for (int i = 0; i < processes.length; i++) awaitHealthy(i, processes.length, healthySeconds);
    }

    /** SIGKILL (bin/ferry execs java, so the JVM itself gets it), and waits until the process is gone. */
    void kill(int i) throws InterruptedException {
        processes[i].destroyForcibly();
        if (!processes[i].waitFor(10, TimeUnit.SECONDS)) fail(name(i) + " survived SIGKILL for 10 s");
    }

    /**
     * SIGTERM: the node leaves the cluster gracefully (CoordinatedShutdown hands its shards off at once); waits until
     * the process has exited.
     */
    void stop(int i, int seconds) throws InterruptedException {
        processes[i].destroy();
        if (!processes[i].waitFor(seconds, TimeUnit.SECONDS)) fail(name(i) + " did not exit within " + seconds + " s of SIGTERM");
    }

    boolean alive(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** A live node, chosen at random so requests spread over the cluster. */
    int anyLive() {
        int n = processes.length;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) if (alive((start + k) % n)) return (start + k) % n;
        throw new IllegalStateException("no node process alive; logs in " + home);
    }

    /** Waits until node i answers /health with 200, sees {@code members} members and none unreachable. */
    void awaitHealthy(int i, int members, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!alive(i)) fail(name(i) + " exited with " + processes[i].exitValue() + "; see " + home.resolve(name(i) + ".log"));
            try {
                HttpResponse<String> r = send("GET", i, "/health", null, null);
                last = r.statusCode() + " " + r.body();
                JsonNode body = JSON.readTree(r.body());
                if (r.statusCode() == 200 && body.path("members").asInt() == members && body.path("unreachable").asInt() == 0) return;
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        fail(name(i) + " not healthy with " + members + " members after " + seconds + " s (last: " + last + "); see "
                + home.resolve(name(i) + ".log"));
    }

    HttpResponse<String> send(String method, int node, String path, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        return send(method, node, path, contentType, body, Duration.ofSeconds(30), headers);
    }

    HttpResponse<String> send(String method, int node, String path, String contentType, String body, Duration timeout,
                              String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + hosts.get(node) + ":" + httpPorts.get(node) + path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int h = 0; h + 1 < headers.length; h += 2) b.header(headers[h], headers[h + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ queues over HTTP

    /** The queue states of GET /topics/{topic} from a live node, or null when no node answered 200. */
    JsonNode queueStates(String topic) throws Exception {
        HttpResponse<String> r = send("GET", anyLive(), "/topics/" + topic, null, null);
        if (r.statusCode() != 200) return null;
        return JSON.readTree(r.body()).path("queueStates");
    }

    /** The node the master of {@code queue} runs on. */
    String masterNode(String topic, int queue) throws Exception {
        JsonNode states = queueStates(topic);
        String node = states == null ? "" : states.path(queue).path("master").path("node").asText("");
        if (node.isEmpty()) fail(topic + "/" + queue + " has no master: " + states);
        return node;
    }

    String masterNode(String topic) throws Exception {
        return masterNode(topic, 0);
    }

    /** Waits until every queue's master has started and every copy is placed and in the in-sync set. */
    void awaitInSync(String topic, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = queueStates(topic);
                boolean all = last != null && last.size() > 0;
                for (JsonNode q : last == null ? JSON.createArrayNode() : last) {
                    all &= q.path("maxOffset").asLong(-1) >= 0 && q.path("copies").size() > 0;
                    for (JsonNode c : q.path("copies")) all &= c.path("inSync").asBoolean(false) && !c.path("node").asText("").isEmpty();
                }
                if (all) return;
            } catch (IOException notNow) {
                // a node is restarting
            }
            Thread.sleep(250);
        }
        fail(topic + ": copies not all in sync after " + seconds + " s: " + last + "; logs in " + home);
    }

    List<String> readQueue(String topic) throws Exception {
        return readQueue(topic, 0);
    }

    /** Every message body of {@code queue}, in offset order, read from live nodes. */
    List<String> readQueue(String topic, int queue) throws Exception {
        List<String> bodies = new java.util.ArrayList<>();
        long offset = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (System.nanoTime() > deadline) fail(topic + ": could not read the queue back in 120 s");
            HttpResponse<String> r;
            try {
                r = send("GET", anyLive(), "/topics/" + topic + "/queues/" + queue + "/messages?offset=" + offset + "&max=1024", null, null);
            } catch (IOException notNow) {
                Thread.sleep(200);
                continue;
            }
            if (r.statusCode() != 200) {
                Thread.sleep(200);
                continue;
            }
            JsonNode page = JSON.readTree(r.body());
            for (JsonNode m : page.path("messages")) bodies.add(m.path("body").asText());
            long next = page.path("nextOffset").asLong();
            if (page.path("messages").isEmpty() && next >= page.path("maxOffset").asLong()) return bodies;
            offset = next;
        }
    }

    /** Appends a line to {@code home}/scenario.log, the test's own account of what it did, beside the node logs. */
    void note(String line) {
        try {
            Files.writeString(home.resolve("scenario.log"), java.time.LocalTime.now() + " " + line + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void killAll() {
        for (Process p : processes) if (p != null && p.isAlive()) p.destroyForcibly();
        for (Process p : processes) {
            if (p == null) continue;
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
