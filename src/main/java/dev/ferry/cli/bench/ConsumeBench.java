package dev.ferry.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ClientOptions;
import dev.ferry.cli.FerryClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Callable;

/**
 * {@code ferry bench consume}: drains a topic's backlog and reports msgs/s and MB/s, either by raw reads of
 * each queue from its first retained offset ({@code raw}) or through a consumer group that pulls and commits
 * ({@code group}). The clock runs from the first request to the last message received.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Drain a topic's backlog and report msgs/s and MB/s.")
public final class ConsumeBench implements Callable<Integer> {

    enum Mode { raw, group }

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--topic"}, defaultValue = "bench", description = "Topic to drain (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = {"-m", "--mode"}, defaultValue = "raw", description = "raw (read each queue by offset) | group (pull + commit) (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = {"-c", "--consumers"}, defaultValue = "0", description = "Concurrent consumers (default: one per queue in raw mode, 4 in group mode).")
    int consumers;

    @Option(names = {"--max"}, defaultValue = "1000", description = "Messages per request (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = {"-g", "--group"}, defaultValue = "bench", description = "Consumer group in group mode (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = {"-n", "--messages"}, defaultValue = "0", description = "Stop after this many messages (0 = until the backlog is drained).")
    long messages;

    @Option(names = "--json", description = "Print the summary as one JSON line instead of text.")
    boolean json;

    @Option(names = "--report-every", defaultValue = "5", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int reportEvery;

    @Override
    public Integer call() throws Exception {
        if (max < 1 || consumers < 0 || messages < 0 || reportEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--max and --report-every must be >= 1; --consumers and --messages >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FerryClient admin = client.client();
        JsonNode described = admin.get(FerryClient.topicPath(topic));
        List<QueueRange> ranges = QueueRange.of(described);
        long backlog = ranges.stream().mapToLong(QueueRange::size).sum();
        long target = messages > 0 ? messages : backlog;
        out.printf(Locale.ROOT, "bench consume: %s topic=%s mode=%s queues=%d backlog=%,d max=%d, draining %,d%n",
                client.url(), topic, mode, ranges.size(), backlog, max, target);

        BenchStats stats = new BenchStats();
        AtomicLong remaining = new AtomicLong(target);
        long start = System.nanoTime();
        stats.start(start);
        stats.startMeasuring(start);
        Workers workers = new Workers();
        if (mode == Mode.raw) {
            int n = consumers == 0 ? ranges.size() : consumers;
            for (int i = 0; i < n; i++) {
                List<QueueRange> mine = new ArrayList<>();
                for (int q = i; q < ranges.size(); q += n) {
                    mine.add(ranges.get(q));
                }
                workers.start("reader-" + i, () -> readRaw(mine, remaining, stats));
            }
        } else {
            int n = consumers == 0 ? 4 : consumers;
            for (int i = 0; i < n; i++) {
                String consumerId = "bench-" + ProcessHandle.current().pid() + "-" + i;
                workers.start("puller-" + i, () -> pullGroup(consumerId, remaining, stats));
            }
        }
        long[] lastProgress = {start, 0};
        workers.await(stats, err, false, start, reportEvery, now -> { }, now -> {
            if (stats.messages() != lastProgress[1]) {
                lastProgress[0] = now;
                lastProgress[1] = stats.messages();
            } else if (now - lastProgress[0] > TimeUnit.SECONDS.toNanos(30)) {
                err.println("bench: no message for 30 s; stopping with " + stats.messages() + " of " + target);
                remaining.set(0);
                return true;
            }
            return false;
        });
        BenchStats.Summary s = stats.summary(stats.lastMessageNanos() != 0 ? stats.lastMessageNanos() : System.nanoTime());
        if (json) {
            out.println(FerryClient.JSON.createObjectNode().put("mode", mode.name()).put("messages", s.messages())
                    .put("seconds", Math.round(s.seconds() * 1000) / 1000.0).put("msgsPerSec", Math.round(s.msgsPerSecond()))
                    .put("mbPerSec", Math.round(s.megabytesPerSecond() * 100) / 100.0).put("errors", s.errors()));
        } else {
            out.printf(Locale.ROOT, "%,d msgs in %.2f s: %,.0f msgs/s, %.2f MB/s; errors %d%n",
                    s.messages(), s.seconds(), s.msgsPerSecond(), s.megabytesPerSecond(), s.errors());
        }
        return stats.exitCode(err);
    }

    private void readRaw(List<QueueRange> queues, AtomicLong remaining, BenchStats stats) {
        try (HttpConnection conn = HttpConnection.open(client.url())) {
            for (QueueRange q : queues) {
                long offset = q.from();
                String base = FerryClient.topicPath(topic) + "/queues/" + q.queue() + "/messages?max=" + max + "&offset=";
                while (offset < q.to() && remaining.get() > 0) {
                    HttpConnection.Response r = conn.get(base + offset);
                    if (!r.ok()) {
                        stats.failed(1, "HTTP " + r.status() + " " + r.text());
                        return;
                    }
                    MessagePage page = MessagePage.parse(r.body());
                    if (page.count() == 0) {
                        break;
                    }
                    received(page, remaining, stats);
                    offset = page.nextOffset() >= 0 ? page.nextOffset() : page.lastOffsets()[0] + 1;
                }
            }
        } catch (IOException e) {
            stats.failed(1, "reading from " + client.url() + " failed: " + e);
        }
    }

    private void pullGroup(String consumerId, AtomicLong remaining, BenchStats stats) {
        String pullBody = FerryClient.JSON.createObjectNode().put("topic", topic).put("consumer", consumerId)
                .put("max", max).put("waitMs", 500).toString();
        byte[] pull = pullBody.getBytes(StandardCharsets.UTF_8);
        String g = FerryClient.encode(group);
        int emptyInARow = 0;
        try (HttpConnection conn = HttpConnection.open(client.url())) {
            byte[] pullHead = conn.head("POST", "/groups/" + g + "/pull", "application/json", pull.length);
            while (remaining.get() > 0 && emptyInARow < 4) {
                HttpConnection.Response r = conn.exchange(pullHead, pull);
                if (!r.ok()) {
                    stats.failed(1, "HTTP " + r.status() + " " + r.text());
                    return;
                }
                MessagePage page = MessagePage.parse(r.body());
                if (page.count() == 0) {
                    emptyInARow++;
                    continue;
                }
                emptyInARow = 0;
                received(page, remaining, stats);
                for (int i = 0; i < page.queues().length; i++) {
                    byte[] commit = FerryClient.JSON.createObjectNode().put("topic", topic).put("queue", page.queues()[i])
                            .put("offset", page.lastOffsets()[i] + 1).toString().getBytes(StandardCharsets.UTF_8);
                    HttpConnection.Response c = conn.exchange(conn.head("POST", "/groups/" + g + "/commit", "application/json", commit.length), commit);
                    if (!c.ok()) {
                        stats.failed(1, "commit: HTTP " + c.status() + " " + c.text());
                        return;
                    }
                }
            }
        } catch (IOException e) {
            stats.failed(1, "pulling from " + client.url() + " failed: " + e);
        }
    }

    private void received(MessagePage page, AtomicLong remaining, BenchStats stats) {
        stats.received(page.count(), page.payloadBytes());
        remaining.addAndGet(-page.count());
    }

    /** A queue and the offsets to drain, [from, to), from the queueStates of GET /topics/{topic}. */
    record QueueRange(int queue, long from, long to) {
        long size() {
            return Math.max(0, to - from);
        }

        static List<QueueRange> of(JsonNode topic) {
            List<QueueRange> out = new ArrayList<>();
            for (JsonNode q : topic.path("queueStates")) {
                out.add(new QueueRange(q.path("queue").asInt(), q.path("minOffset").asLong(0), q.path("maxOffset").asLong(0)));
            }
            return out;
        }
    }
}
