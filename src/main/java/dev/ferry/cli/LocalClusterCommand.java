package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code ferry local-cluster N}: N node processes on loopback, node k in zone "zone-k" with HTTP on
 * 8079+k and Akka remoting on 2550+k, data and log under ./data/local-cluster/nodek. For trying clustering on one
 * machine. Ctrl-C or SIGTERM stops every node (a graceful leave each); the data stays for the next run.
 */
@Command(name = "local-cluster", mixinStandardHelpOptions = true,
        description = {"Start N Ferry node processes on this machine, each in its own zone, and stop them on Ctrl-C.",
                "Node k: HTTP on <http-port>+k-1, Akka on <cluster-port>+k-1, files under <dir>/nodek (node.conf, node.log, data)."})
public final class LocalClusterCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "N", description = "Number of nodes, 1 to 9.")
    int nodes;

    @Option(names = "--dir", defaultValue = "data/local-cluster", description = "Where node configs, logs and data go (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port of node 1 (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--cluster-port", defaultValue = "2551", description = "Akka remoting port of node 1 (default: ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(names = "--heap", defaultValue = "512m", description = "Java heap of each node (default: ${DEFAULT-VALUE}).")
    String heap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (nodes < 1 || nodes > 9) {
            throw new ParameterException(spec.commandLine(), "N must be between 1 and 9, was " + nodes);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> seeds = IntStream.range(0, Math.min(3, nodes)).mapToObj(i -> "127.0.0.1:" + (clusterPort + i)).toList();
        List<NodeProcess> running = new ArrayList<>();
        Thread stopAll = new Thread(() -> {
            stopping = true;
            out.println("local-cluster: stopping " + running.size() + " nodes (graceful leave)...");
            out.flush();
            running.parallelStream().forEach(n -> n.stop(30));
        }, "local-cluster-stop");
        Runtime.getRuntime().addShutdownHook(stopAll);

        for (int k = 1; k <= nodes; k++) {
            Path home = dir.resolve("node" + k);
            NodeConfigFile conf = new NodeConfigFile("node" + k, "zone-" + k, home.resolve("data"),
                    httpPort + k - 1, clusterPort + k - 1, seeds, null);
            Path file = conf.writeTo(home.resolve("node.conf"));
            NodeProcess p = NodeProcess.launch("node" + k, file, home.resolve("node.log"), List.of("-Xmx" + heap));
            running.add(p);
            out.printf("node%d  pid %-7d http://127.0.0.1:%d  akka 127.0.0.1:%d  zone-%d  config %s  log %s%n",
                    k, p.pid(), conf.httpPort(), conf.clusterPort(), k, file, p.log());
        }
        out.println("--- config of node1 (" + dir.resolve("node1/node.conf") + "):");
        out.print(new NodeConfigFile("node1", "zone-1", dir.resolve("node1").resolve("data"), httpPort, clusterPort, seeds, null).hocon());
        out.flush();

        int up = awaitHealthy(running, out);
        if (up < nodes) {
            // A cluster short of nodes is not what was asked for (and a node that lost its port to another process
            // would leave the user talking to that process): stop, say so, fail.
            out.println("local-cluster: " + up + " of " + nodes + " nodes started; stopping them. Free the ports or pick others "
                    + "(--http-port, --cluster-port) and see the logs above.");
            out.flush();
            stopping = true;
            running.parallelStream().forEach(n -> n.stop(30));
            return 1;
        }
        out.println("local-cluster: " + nodes + " nodes up. Try: curl -s http://127.0.0.1:" + httpPort + "/cluster/nodes"
                + "   (Ctrl-C stops the cluster)");
        out.flush();
        while (running.stream().anyMatch(NodeProcess::isAlive)) {
            for (NodeProcess p : running) {
                if (!p.isAlive() && !reported.contains(p) && !stopping) {
                    reported.add(p);
                    out.println("local-cluster: " + p.name() + " exited with code " + p.exitValue() + "; see " + p.log());
                    out.flush();
                }
            }
            Thread.sleep(500);
        }
        return stopping ? 0 : 1; // every node exited by itself: a failure, not a stop
    }

    private final List<NodeProcess> reported = new ArrayList<>();
    private volatile boolean stopping;

    /** Waits for each node's own /health (its pid, not whatever else answers on its port); returns how many are Up. */
    private int awaitHealthy(List<NodeProcess> running, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        int up = 0;
        for (int k = 0; k < running.size(); k++) {
            NodeProcess p = running.get(k);
            FerryClient client = new FerryClient(URI.create("http://127.0.0.1:" + (httpPort + k)));
            while (true) {
                if (!p.isAlive()) {
                    out.println("local-cluster: " + p.name() + " exited with code " + p.exitValue() + " while starting; see " + p.log());
                    reported.add(p);
                    break;
                }
                JsonNode health = health(client);
                if (health != null && health.path("pid").asLong() != p.pid()) {
                    if (!strangerReported.contains(p)) {
                        strangerReported.add(p);
                        out.println("local-cluster: port " + (httpPort + k) + " is answered by another process (pid "
                                + health.path("pid").asText() + ", node " + health.path("node").asText() + "), not by " + p.name());
                        out.flush();
                    }
                } else if (health != null && "ok".equals(health.path("status").asText())) {
                    out.println("local-cluster: " + p.name() + " is Up");
                    up++;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    out.println("local-cluster: " + p.name() + " is not healthy after 120 s; see " + p.log());
                    break;
                }
                Thread.sleep(500);
            }
            out.flush();
        }
        return up;
    }

    private final List<NodeProcess> strangerReported = new ArrayList<>();

    /** The /health answer on the node's port (503 bodies too), or null when nothing answers yet. */
    private static JsonNode health(FerryClient client) {
        try {
            return client.get("/health");
        } catch (FerryHttpException | NodeUnreachableException notYet) {
            return null;
        }
    }
}
