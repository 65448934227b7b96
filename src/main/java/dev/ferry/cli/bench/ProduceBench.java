package dev.ferry.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ClientOptions;
import dev.ferry.cli.FerryClient;
import dev.ferry.cli.FerryHttpException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ferry bench produce}: a producer load test in the spirit of kafka-producer-perf-test. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send messages as fast as the node acknowledges them (or at --rate) and report msgs/s, MB/s and latency percentiles.",
                "Messages in flight: single = producers; batch = producers x batch; stream = producers x window."})
public final class ProduceBench implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--topic"}, defaultValue = "bench", description = "Topic to send to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = {"-m", "--mode"}, defaultValue = "single", description = "single | batch | stream (NDJSON) (default: ${DEFAULT-VALUE}).")
    SendMode mode;

    @Option(names = {"-p", "--producers"}, defaultValue = "1", description = "Concurrent producers, one connection each (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = {"-s", "--size"}, defaultValue = "1024", description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-b", "--batch"}, defaultValue = "64", description = "Messages per request in batch mode, 1..10000 (the node's limit per batch) (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-w", "--window"}, defaultValue = "64", description = "Unacknowledged messages per stream in stream mode (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = {"-n", "--messages"}, defaultValue = "0", description = "Stop after this many messages, warm-up included (0 = no limit).")
    long messages;

    @Option(names = {"-d", "--duration"}, description = "Seconds to measure after the warm-up (default: 30 unless --messages is given).")
    Integer duration;

    @Option(names = "--warmup", description = "Seconds of load before measuring starts (default: 5, or 0 with --messages).")
    Integer warmup;

    @Option(names = {"-r", "--rate"}, defaultValue = "0", description = "Target msgs/s over all producers; latency is then timed from each message's due time (0 = unlimited).")
    double rate;

    @Option(names = "--report-every", defaultValue = "5", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int reportEvery;

    @Option(names = "--to-masters", description = {"Send each queue's messages straight to its master's node (read from the topic and GET /cluster/nodes at the start), "
            + "as RocketMQ and Kafka producers do; producer i sends to queue i mod queues. Without it every message goes to --url, which forwards it."})
    boolean toMasters;

    @Option(names = "--json", description = "Print the summary as one JSON line instead of text.")
    boolean json;

    @Option(names = "--queues", defaultValue = "4", description = "Queues if the topic must be created (default: ${DEFAULT-VALUE}).")
    int queues;

    @Option(names = "--replicas", description = "Replica copies per queue besides the master, if the topic must be created (default: the node's).")
    Integer replicas;

    @Option(names = "--flush", description = "Flush mode if the topic must be created: sync | async (default: the node's).")
    String flush;

    @Option(names = "--replication", description = "Replication mode if the topic must be created: sync | async (default: the node's).")
    String replication;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonNode topicInfo = ensureTopic(client.client());

        int warmupSecs = warmup != null ? warmup : (messages > 0 ? 0 : 5);
        Integer measureSecs = duration != null ? duration : (messages > 0 ? null : 30);
        long start = System.nanoTime();
        long deadline = measureSecs == null ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(warmupSecs + measureSecs);
        Budget budget = new Budget(messages, deadline);
        Pacer pacer = new Pacer(rate, start);
        BenchStats stats = new BenchStats();
        Workload work = Workload.of(client.url(), topic, size, batch, window);
        List<Workload> routes = toMasters ? MasterRoutes.of(client.client(), work) : List.of(work);

        out.printf(Locale.ROOT, "bench produce: %s topic=%s (%s) mode=%s producers=%d size=%d%s%s, in flight %d, warm-up %ds, %s%n",
                client.url(), topic, describeTopic(topicInfo), mode, producers, size,
                mode == SendMode.batch ? " batch=" + batch : "", mode == SendMode.stream ? " window=" + window : "",
                inFlight(), warmupSecs,
                measureSecs != null ? "measuring " + measureSecs + "s" : "until " + messages + " messages");
        if (toMasters) {
            out.println("bench produce: to masters: " + routes.stream().map(r -> "queue " + r.queue() + " -> " + r.url()).toList());
        }

        Thread stopper = new Thread(budget::stop, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        stats.start(start);
        if (warmupSecs == 0) {
            stats.startMeasuring(start);
        }
        Workers workers = new Workers();
        if (mode == SendMode.stream) {
            for (int i = 0; i < producers; i++) {
                workers.start("producer-" + i, new StreamProducer(routes.get(i % routes.size()), budget, pacer, stats));
            }
        } else if (toMasters) {
            // One selector thread per queue (producer i sends to queue i mod queues).
            for (int r = 0; r < routes.size(); r++) {
                int share = producers / routes.size() + (r < producers % routes.size() ? 1 : 0);
                if (share > 0) workers.start("producers-q" + routes.get(r).queue(), new RequestLoop(routes.get(r), mode, share, budget, pacer, stats));
            }
        } else {
            int loops = Math.min(LOOP_THREADS_MAX, (producers + CONNECTIONS_PER_LOOP - 1) / CONNECTIONS_PER_LOOP);
            for (int i = 0; i < loops; i++) {
                int share = producers / loops + (i < producers % loops ? 1 : 0);
                workers.start("producers-" + i, new RequestLoop(work, mode, share, budget, pacer, stats));
            }
        }

        long warmupEnd = start + TimeUnit.SECONDS.toNanos(warmupSecs);
        boolean gaveUp = workers.await(stats, err, true, start, reportEvery, now -> {
            if (!stats.measuring() && now - warmupEnd >= 0) {
                stats.startMeasuring(now);
            }
            if (stats.messages() == 0 && stats.refused()) {
                budget.stop(); // the node refuses what this run sends (too large, bad topic): sending more will not change that
            }
        }, now -> {
            if (deadline != Long.MAX_VALUE && now - deadline > TimeUnit.SECONDS.toNanos(30)) {
                err.println("bench: producers still waiting for acknowledgements 30 s after the end; giving up on them");
                return true;
            }
            return false;
        });
        long end = gaveUp && stats.lastMessageNanos() != 0 ? stats.lastMessageNanos() : System.nanoTime();
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: print what was measured so far
        }
        if (!stats.measuring()) {
            stats.startMeasuring(end);
        }
        BenchStats.Summary s = stats.summary(end);
        if (stats.messages() == 0 && stats.errors() > 0) {
            err.println("bench: every send failed (" + stats.errors() + " messages); the node answered: " + stats.firstError());
            if (json) out.println(summaryJson(s));
            return 1;
        }
        out.println(json ? summaryJson(s) : summaryText(s));
        return stats.exitCode(err);
    }

    /** Producers per selector thread; one thread keeps up with 64 connections on this machine. */
    private static final int CONNECTIONS_PER_LOOP = 64;
    private static final int LOOP_THREADS_MAX = 4;

    /** The most messages the node takes in one batch request (POST .../messages:batch, MessageApi.MAX_BATCH). */
    static final int MAX_BATCH = 10_000;

    private void validate() {
        if (batch > MAX_BATCH) {
            throw new ParameterException(spec.commandLine(), "--batch must be at most " + MAX_BATCH + " (the node's limit per batch request), was " + batch);
        }
        if (producers < 1 || size < 0 || batch < 1 || window < 1 || messages < 0 || rate < 0 || reportEvery < 1
                || (duration != null && duration < 1) || (warmup != null && warmup < 0)) {
            throw new ParameterException(spec.commandLine(),
                    "--producers, --batch, --window, --duration and --report-every must be >= 1; --size, --messages, --rate and --warmup >= 0");
        }
    }

    private int inFlight() {
        return switch (mode) {
            case single -> producers;
            case batch -> producers * batch;
            case stream -> producers * window;
        };
    }

    private JsonNode ensureTopic(FerryClient c) {
        String path = FerryClient.topicPath(topic);
        try {
            return c.get(path);
        } catch (FerryHttpException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        ObjectNode body = c.object().put("queues", queues);
        if (replicas != null) {
            body.put("replicas", replicas);
        }
        if (flush != null) {
            body.put("flush", flush);
        }
        if (replication != null) {
            body.put("replication", replication);
        }
        c.putJson(path, body);
        return c.get(path);
    }

    private static String describeTopic(JsonNode t) {
        return "queues=" + t.path("queues").asText("?") + " replicas=" + t.path("replicas").asText("?")
                + " flush=" + t.path("flush").asText("?") + " replication=" + t.path("replication").asText("?");
    }

    private String summaryText(BenchStats.Summary s) {
        return String.format(Locale.ROOT,
                "%,d msgs in %.1f s: %,.0f msgs/s, %.2f MB/s; latency ms p50 %.2f p99 %.2f p999 %.2f max %.2f; errors %d",
                s.messages(), s.seconds(), s.msgsPerSecond(), s.megabytesPerSecond(),
                s.percentileMillis(50), s.percentileMillis(99), s.percentileMillis(99.9), s.maxMillis(), s.errors());
    }

    private String summaryJson(BenchStats.Summary s) {
        ObjectNode o = FerryClient.JSON.createObjectNode()
                .put("mode", mode.name()).put("toMasters", toMasters).put("producers", producers).put("size", size).put("inFlight", inFlight())
                .put("messages", s.messages()).put("seconds", round(s.seconds()))
                .put("msgsPerSec", Math.round(s.msgsPerSecond())).put("mbPerSec", round(s.megabytesPerSecond()))
                .put("p50ms", round(s.percentileMillis(50))).put("p99ms", round(s.percentileMillis(99)))
                .put("p999ms", round(s.percentileMillis(99.9))).put("maxMs", round(s.maxMillis()))
                .put("errors", s.errors());
        return o.toString();
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }
}
