package dev.ferry.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster of Ferry nodes as ActorSystems in this JVM, on loopback ports the OS hands out (so two test classes, or
 * two worktrees, never fight over a port), each node with its own data directory. Node 0 is the seed the cluster
 * forms on; a node that restarts joins through the others, so any node, the first included, can crash and return.
 */
public final class InJvmCluster {

    private final String prefix;
    private final int[] akkaPorts;
    private final int[] httpPorts;
    private final List<Path> dirs = new ArrayList<>();
    private final List<FerryNode> nodes = new ArrayList<>();
    private final IntFunction<String> extra;

    private InJvmCluster(String prefix, int size, boolean http, IntFunction<String> extra) {
        this.prefix = prefix;
        this.extra = extra;
        this.akkaPorts = freePorts(size);
        this.httpPorts = http ? freePorts(size) : new int[size];
    }

    /**
     * Starts {@code size} nodes named prefix1..prefixN and waits until every one sees all of them Up.
     * <p>
     * It waits here rather than with {@code akka.cluster.min-nr-of-members}: a shard coordinator answers no
     * GetShardHome until that many regions have registered, also when it takes over after the oldest node crashed,
     * so with min-nr-of-members = size a crash of the coordinator's node stalled every new allocation until the
     * node came back.
     *
     * @param http  whether each node gets an HTTP port of its own (otherwise 0: any free port)
     * @param extra more HOCON for node i, highest precedence
     */
    public static InJvmCluster start(String prefix, int size, boolean http, IntFunction<String> extra) throws InterruptedException {
        InJvmCluster c = new InJvmCluster(prefix, size, http, extra);
        for (int i = 0; i < size; i++) {
            c.dirs.add(TestNodes.tempDir("ferry-" + prefix + i + "-"));
            c.nodes.add(FerryNode.start(c.config(i, List.of(0))));
        }
        c.awaitAllUp();
        return c;
    }

    private com.typesafe.config.Config config(int i, List<Integer> seeds) {
        String seedList = seeds.stream().map(s -> "\"127.0.0.1:" + akkaPorts[s] + "\"").collect(Collectors.joining(", "));
        String more = String.join("\n",
                "ferry.cluster.seed-nodes = [" + seedList + "]",
                extra.apply(i),
                // -Dferry.test.akka-loglevel=INFO (or DEBUG) shows the cluster's membership changes when diagnosing
                System.getProperty("ferry.test.akka-loglevel") == null ? ""
                        : "akka.loglevel = " + System.getProperty("ferry.test.akka-loglevel"));
        return TestNodes.config(name(i), akkaPorts[i], httpPorts[i], dirs.get(i), more);
    }

    public String name(int i) {
        return prefix + (i + 1);
    }

    public int size() {
        return akkaPorts.length;
    }

    /** Node i, or null while it is down. */
    public FerryNode node(int i) {
        return nodes.get(i);
    }

    /** The running nodes, in index order. */
    public List<FerryNode> live() {
        return nodes.stream().filter(n -> n != null).toList();
    }

    public int indexOf(FerryNode n) {
        return nodes.indexOf(n);
    }

    public FerryNode byName(String name) {
        for (FerryNode n : nodes) if (n != null && n.settings().node().name().equals(name)) return n;
        throw new IllegalStateException("no live node " + name);
    }

    public Path dir(int i) {
        return dirs.get(i);
    }

    /**
     * Stops node i's ActorSystem and waits for it. Whether it leaves the cluster first is the node's
     * {@code akka.coordinated-shutdown.run-by-actor-system-terminate}: off makes this a crash as the others see it.
     */
    public void terminate(int i) {
        FerryNode n = nodes.set(i, null);
        n.system().terminate();
        n.whenTerminated().toCompletableFuture().join();
    }

    /** Starts node i again on its port and data directory; it joins through the nodes still running. */
    public FerryNode restart(int i) {
        List<Integer> seeds = IntStream.range(0, size()).filter(s -> s != i && nodes.get(s) != null).boxed().toList();
        FerryNode n = FerryNode.start(config(i, seeds));
        nodes.set(i, n);
        return n;
    }

    /** Waits until every running node sees every node Up. */
    public void awaitAllUp() throws InterruptedException {
        eventually(60_000, () -> live().size() == size() && live().stream().allMatch(n -> up(n) == size()));
    }

    public void stop() {
        for (FerryNode n : live()) n.system().terminate();
        for (FerryNode n : live()) n.whenTerminated().toCompletableFuture().join();
        dirs.forEach(TestNodes::deleteRecursively);
    }

    public static int up(FerryNode n) {
        int c = 0;
        for (var m : akka.cluster.typed.Cluster.get(n.system()).state().getMembers())
            if (m.status() == akka.cluster.MemberStatus.up()) c++;
        return c;
    }

    /** Polls {@code condition} until it holds; a condition that throws has simply not held yet. */
    public static void eventually(long ms, Supplier<Boolean> condition) throws InterruptedException {
        eventually(ms, condition, () -> "");
    }

    /** As {@link #eventually(long, Supplier)}; a failure also shows {@code state}, read when the time is up. */
    public static void eventually(long ms, Supplier<Boolean> condition, Supplier<String> state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (condition.get()) return;
            } catch (RuntimeException | AssertionError ignored) {
                // not yet
            }
            Thread.sleep(50);
        }
        if (condition.get()) return;
        String seen;
        try {
            seen = state.get();
        } catch (RuntimeException e) {
            seen = e.toString();
        }
        assertTrue(false, "condition not met in " + ms + " ms" + (seen.isEmpty() ? "" : "; " + seen));
    }

    /** Ports the OS has free now: all sockets are open at once so the ports differ. */
    static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a port we only looked up
                }
            }
        }
    }
}
