package dev.ferry.replica;

import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ferry.broker.Broker;
import dev.ferry.broker.SettingsPatch;
import dev.ferry.broker.TopicSettings;
import dev.ferry.journal.FerryJournalSettings;
import dev.ferry.journal.FerryJournalStores;
import dev.ferry.node.FerryNode;
import dev.ferry.queue.QueueEntity;
import dev.ferry.queue.StoredMessage;
import dev.ferry.store.AppendRecord;
import dev.ferry.store.FlushMode;
import dev.ferry.store.MessageStore;
import dev.ferry.store.ReadResult;
import dev.ferry.store.StoreConfig;
import dev.ferry.store.StoredRecord;
import dev.ferry.store.TagFilter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Peer-recovery rate, unthrottled (issue #5 point 8: >= 200 MB/s): two nodes in one JVM (Akka ports 26120-26121),
 * a topic with no replica gets MB megabytes of 1 KiB messages, then one replica; the replica's node copies the log
 * by peer recovery (SourceRef over Artery on loopback). Prints the stream's own rate (from the node's recovery record)
 * and the end-to-end time from the settings change to the last record stored. Baseline, same run: copying the same
 * log store-to-store inside one process (read + append, no Akka, no network).
 *
 * <pre>java -Xmx2g --add-opens ... -cp target/benchmarks.jar dev.ferry.replica.RecoveryRateBench [MB] [runs] [chunk-size]</pre>
 */
public final class RecoveryRateBench {

    /** ferry.replication.recovery.chunk-size for the run (third argument). */
    private static String chunk;

    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        chunk = args.length > 2 ? args[2] : "512k";
        Path root = Files.createTempDirectory("ferry-recovery-bench");
        List<FerryNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) nodes.add(FerryNode.start(config("b" + (i + 1), 26120 + i, root.resolve("n" + i))));
            while (nodes.stream().anyMatch(n -> upCount(n) < 2)) Thread.sleep(100);
            for (int run = 1; run <= runs; run++) {
                String topic = "bench-" + run;
                createTopic(nodes.get(0), topic);
                int messages = mb * 1024;
                fill(nodes.get(0), topic, messages);
                long t0 = System.nanoTime();
                patchReplicas(nodes.get(0), topic, 1);
                FerryNode replicaNode = null;
                CpuClock cpu = new CpuClock();
                while (replicaNode == null) {
                    cpu.sample();
                    for (FerryNode n : nodes) {
                        var recs = NodeRecoveries.get(n.system()).records().stream()
                                .filter(r -> r.persistenceId().equals(topic + "/0") && r.direction().equals("incoming") && r.toSeq() >= messages).toList();
                        if (!recs.isEmpty()) replicaNode = n;
                    }
                    Thread.sleep(5);
                }
                double e2e = (System.nanoTime() - t0) / 1e9;
                var in = NodeRecoveries.get(replicaNode.system()).records().stream()
                        .filter(r -> r.persistenceId().equals(topic + "/0") && r.direction().equals("incoming")).toList();
                long bytes = in.stream().mapToLong(NodeRecoveries.Record::bytes).sum();
                long streamMs = in.stream().mapToLong(r -> r.endedMillis() - r.startedMillis()).sum();
                double cpuMs = in.stream().mapToDouble(r -> cpu.millisBetween(r.startedMillis(), r.endedMillis())).sum();
                System.out.printf("run %d: %d records, %.1f MiB payload, %d recoveries, stream %.1f MB/s (%d ms), end-to-end %.2f s = %.1f MB/s,"
                                + " stream CPU %.0f ms (both nodes) = %.2f ms/MB%n",
                        run, messages, bytes / 1048576.0, in.size(), bytes / 1e6 / (streamMs / 1000.0), streamMs, e2e, bytes / 1e6 / e2e,
                        cpuMs, cpuMs / (bytes / 1e6));
                baseline(store(nodes.get(0)), topic + "/0", root.resolve("baseline-" + run));
                runBaseline(store(nodes.get(0)), topic + "/0", root.resolve("run-baseline-" + run));
            }
        } finally {
            for (FerryNode n : nodes) n.system().terminate();
            for (FerryNode n : nodes) n.whenTerminated().toCompletableFuture().join();
            try (var files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Same log, copied store-to-store in this process, in 512 KiB groups: what the disk and the store allow. */
    private static void baseline(MessageStore from, String pid, Path dir) throws Exception {
        StoreConfig d = StoreConfig.defaults(dir);
        StoreConfig config = new StoreConfig(dir, 512L << 20, d.indexEntriesPerFile(), d.maxMessageSize(), d.flushInterval(),
                d.flushLeastPages(), d.flushThoroughInterval(), d.checkpointInterval(), d.fileReservedTime(), d.deleteWhen(),
                d.diskMaxUsedSpaceRatio(), d.retentionCheckInterval(), d.diskUsage());
        try (MessageStore to = MessageStore.open(config, Clock.systemUTC())) {
            long t0 = System.nanoTime();
            long seq = 1, bytes = 0;
            List<java.util.concurrent.CompletableFuture<Void>> last = new ArrayList<>();
            while (true) {
                var r = (ReadResult.Records) from.read(pid, seq, Long.MAX_VALUE, 512, TagFilter.ALL);
                if (r.records().isEmpty()) break;
                List<AppendRecord> group = new ArrayList<>();
                for (StoredRecord sr : r.records()) {
                    group.add(new AppendRecord(pid, sr.sequenceNr(), sr.tagHash(), sr.payload()));
                    bytes += sr.payload().length;
                }
                last.add(to.append(group, FlushMode.ASYNC));
                seq = r.records().get(r.records().size() - 1).sequenceNr() + 1;
            }
            for (var f : last) f.get();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  baseline store-to-store copy: %.1f MB/s (%.2f s)%n", bytes / 1e6 / s, s);
        }
    }

    /** Same log, copied store-to-store as the recovery stream now does: readRun + appendRun of 512 KiB runs. */
    private static void runBaseline(MessageStore from, String pid, Path dir) throws Exception {
        try (MessageStore to = MessageStore.open(StoreConfig.defaults(dir).withSegmentSize(512L << 20), Clock.systemUTC())) {
            long t0 = System.nanoTime();
            long seq = 1, bytes = 0;
            java.util.concurrent.CompletableFuture<Void> last = null;
            while (true) {
                var run = from.readRun(pid, seq, 512 * 1024, 4096);
                if (run.isEmpty()) break;
                last = to.appendRun(pid, run, FlushMode.ASYNC);
                bytes += run.payloadBytes();
                seq = run.lastSeq() + 1;
            }
            if (last != null) last.get();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  baseline store-to-store run copy (readRun + appendRun): %.1f MB/s (%.2f s)%n", bytes / 1e6 / s, s);
        }
    }

    /**
     * The JVM's CPU time (all threads: both nodes, GC, JIT) sampled against the wall clock, so the CPU a recovery
     * used can be read off between its recorded start and end: a figure a loaded machine changes less than MB/s.
     */
    private static final class CpuClock {
        private final List<long[]> samples = new ArrayList<>();
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

        void sample() {
            samples.add(new long[]{System.currentTimeMillis(), os.getProcessCpuTime()});
        }

        /** CPU milliseconds between two wall-clock instants (the nearest samples at or before them). */
        double millisBetween(long fromMillis, long toMillis) {
            return (at(toMillis) - at(fromMillis)) / 1e6;
        }

        private long at(long millis) {
            long cpu = samples.get(0)[1];
            for (long[] s : samples) {
                if (s[0] > millis) break;
                cpu = s[1];
            }
            return cpu;
        }
    }

    private static int upCount(FerryNode n) {
        int c = 0;
        for (var m : akka.cluster.typed.Cluster.get(n.system()).state().getMembers())
            if (m.status() == akka.cluster.MemberStatus.up()) c++;
        return c;
    }

    private static Config config(String name, int port, Path dir) {
        Config overrides = ConfigFactory.parseString(String.join("\n",
                "ferry.node.name = \"" + name + "\"",
                "ferry.data-dir = \"" + dir + "\"",
                "ferry.http.host = \"127.0.0.1\"", "ferry.http.port = 0",
                "ferry.cluster.host = \"127.0.0.1\"", "ferry.cluster.port = " + port,
                "ferry.cluster.seed-nodes = [\"127.0.0.1:26120\"]",
                "akka.cluster.min-nr-of-members = 2",
                "akka.loglevel = WARNING",
                "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "ferry.allocation.disk.report-interval = 1s",
                "ferry.replication.recovery.max-bytes-per-sec = -1",
                "ferry.replication.recovery.chunk-size = " + chunk,
                "ferry.journal.segment-size = 512m"));
        return FerryNode.loadConfig(Optional.empty(), overrides);
    }

    private static void createTopic(FerryNode n, String topic) throws Exception {
        TopicSettings settings = new TopicSettings(1, 0, TopicSettings.Replication.ASYNC, TopicSettings.Flush.ASYNC, 4 << 20, Map.of());
        AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Create(settings, r), Duration.ofSeconds(10), n.system().scheduler()).toCompletableFuture().get();
    }

    private static void patchReplicas(FerryNode n, String topic, int replicas) throws Exception {
        AskPattern.<Broker.Command, Broker.Reply>ask(n.services().sharding().entityRefFor(Broker.TYPE_KEY, topic),
                r -> new Broker.Patch(new SettingsPatch(null, replicas, null, null, null, null), r), Duration.ofSeconds(10),
                n.system().scheduler()).toCompletableFuture().get();
    }

    private static void fill(FerryNode n, String topic, int messages) throws Exception {
        var ref = n.services().sharding().entityRefFor(QueueEntity.TYPE_KEY, QueueEntity.entityId(topic, 0));
        List<java.util.concurrent.CompletableFuture<QueueEntity.AppendReply>> inFlight = new ArrayList<>();
        for (int i = 0; i < messages; i += 1000) {
            List<StoredMessage> batch = new ArrayList<>(1000);
            for (int j = i; j < Math.min(messages, i + 1000); j++)
                batch.add(new StoredMessage("m-" + j, new byte[1024], List.of(), List.of(), Map.of(), 0));
            inFlight.add(ref.<QueueEntity.AppendReply>ask(r -> new QueueEntity.Append(batch, r), Duration.ofSeconds(60)).toCompletableFuture());
            if (inFlight.size() >= 8) inFlight.remove(0).get();
        }
        for (var f : inFlight) f.get();
    }

    private static MessageStore store(FerryNode n) {
        Path dir = FerryJournalSettings.fromConfig(n.system().settings().config().getConfig("ferry.journal")).dir();
        return FerryJournalStores.forDirectory(dir).orElseThrow();
    }
}
