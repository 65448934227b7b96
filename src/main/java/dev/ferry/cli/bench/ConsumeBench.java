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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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

    @Option(names = {"-c", "--consumers"}, description = "Concurrent consumers, at least 1 (default: one per queue in raw mode, 4 in group mode).")
    Integer consumers;

    @Option(names = {"--max"}, defaultValue = "1000", description = "Messages per request (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = {"-g", "--group"}, defaultValue = "bench", description = "Consumer group in group mode (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = {"-n", "--messages"}, defaultValue = "0",
            description = "Stop after exactly this many distinct messages, a read trimmed if need be (0 = until the backlog is drained).")
    long messages;

    @Option(names = "--json", description = "Print the summary as one JSON line instead of text.")
    boolean json;

    @Option(names = "--report-every", defaultValue = "5", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int reportEvery;

    @Override
    public Integer call() throws Exception {
        if (max < 1 || (consumers != null && consumers < 1) || messages < 0 || reportEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--max, --consumers and --report-every must be >= 1; --messages >= 0");
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
        Map<Integer, Long> firstOffsets = new HashMap<>();
        ranges.forEach(r -> firstOffsets.put(r.queue(), r.from()));
        Drained drained = new Drained(firstOffsets, target);
        long start = System.nanoTime();
        stats.start(start);
        stats.startMeasuring(start);
        Workers workers = new Workers();
        if (mode == Mode.raw) {
            int n = consumers == null ? ranges.size() : consumers;
            for (int i = 0; i < n; i++) {
                List<QueueRange> mine = new ArrayList<>();
                for (int q = i; q < ranges.size(); q += n) {
                    mine.add(ranges.get(q));
                }
                workers.start("reader-" + i, () -> readRaw(mine, drained, stats));
            }
        } else {
            int n = consumers == null ? 4 : consumers;
            for (int i = 0; i < n; i++) {
                String consumerId = "bench-" + ProcessHandle.current().pid() + "-" + i;
                workers.start("puller-" + i, () -> pullGroup(consumerId, drained, stats));
            }
        }
        long[] lastProgress = {start, 0};
        workers.await(stats, err, false, start, reportEvery, now -> { }, now -> {
            if (stats.messages() != lastProgress[1]) {
                lastProgress[0] = now;
                lastProgress[1] = stats.messages();
            } else if (now - lastProgress[0] > TimeUnit.SECONDS.toNanos(30)) {
                err.println("bench: no message for 30 s; stopping with " + stats.messages() + " of " + target);
                drained.stop();
                return true;
            }
            return false;
        });
        BenchStats.Summary s = stats.summary(stats.lastMessageNanos() != 0 ? stats.lastMessageNanos() : System.nanoTime());
        if (json) {
            out.println(FerryClient.JSON.createObjectNode().put("mode", mode.name()).put("messages", s.messages())
                    .put("seconds", Math.round(s.seconds() * 1000) / 1000.0).put("msgsPerSec", Math.round(s.msgsPerSecond()))
                    .put("mbPerSec", Math.round(s.megabytesPerSecond() * 100) / 100.0).put("redelivered", stats.redelivered()).put("errors", s.errors()));
        } else {
            out.printf(Locale.ROOT, "%,d msgs in %.2f s: %,.0f msgs/s, %.2f MB/s; redelivered %,d (not counted); errors %d%n",
                    s.messages(), s.seconds(), s.msgsPerSecond(), s.megabytesPerSecond(), stats.redelivered(), s.errors());
        }
        return stats.exitCode(err);
    }

    private void readRaw(List<QueueRange> queues, Drained drained, BenchStats stats) {
        try (HttpConnection conn = HttpConnection.open(client.url())) {
            for (QueueRange q : queues) {
                long offset = q.from();
                String base = FerryClient.topicPath(topic) + "/queues/" + q.queue() + "/messages?offset=";
                while (offset < q.to()) {
                    int claimed = drained.claim((int) Math.min(max, q.to() - offset));
                    if (claimed == 0) {
                        if (drained.done()) {
                            return;
                        }
                        Thread.sleep(5); // another reader's claim may come back unused
                        continue;
                    }
                    HttpConnection.Response r = conn.get(base + offset + "&max=" + claimed);
                    if (!r.ok()) {
                        drained.unclaim(claimed);
                        stats.failed(1, "HTTP " + r.status() + " " + r.text());
                        return;
                    }
                    MessagePage page = MessagePage.parse(r.body());
                    Drained.Counted c = drained.count(page, claimed);
                    if (c.messages() > 0) stats.received(c.messages(), c.payloadBytes());
                    if (page.count() == 0) {
                        break;
                    }
                    int lastKept = lastKept(c);
                    offset = lastKept == page.count() - 1 && page.nextOffset() >= 0 ? page.nextOffset() : page.offsets()[lastKept] + 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            stats.failed(1, "reading from " + client.url() + " failed: " + e);
        }
    }

    private static int lastKept(Drained.Counted c) {
        int i = c.kept().length - 1;
        while (i > 0 && !c.kept()[i]) {
            i--;
        }
        return i;
    }

    private void pullGroup(String consumerId, Drained drained, BenchStats stats) {
        String g = FerryClient.encode(group);
        int emptyInARow = 0;
        try (HttpConnection conn = HttpConnection.open(client.url())) {
            while (emptyInARow < 4) {
                int claimed = drained.claim(max);
                if (claimed == 0) {
                    if (drained.done()) {
                        return;
                    }
                    Thread.sleep(5); // another consumer's claim may come back unused, and the rest be in this one's queues
                    continue;
                }
                byte[] pull = FerryClient.JSON.createObjectNode().put("topic", topic).put("consumer", consumerId)
                        .put("max", claimed).put("waitMs", 500).toString().getBytes(StandardCharsets.UTF_8);
                HttpConnection.Response r = conn.exchange(conn.head("POST", "/groups/" + g + "/pull", "application/json", pull.length), pull);
                if (!r.ok()) {
                    drained.unclaim(claimed);
                    stats.failed(1, "HTTP " + r.status() + " " + r.text());
                    return;
                }
                MessagePage page = MessagePage.parse(r.body());
                Drained.Counted c = drained.count(page, claimed);
                if (c.messages() > 0) stats.received(c.messages(), c.payloadBytes());
                stats.redelivered(c.redelivered());
                if (page.count() == 0) {
                    emptyInARow++;
                    continue;
                }
                emptyInARow = 0;
                // Commit each queue up to its last kept message; a trimmed message and what follows it stay for the group.
                Map<Integer, Long> commitTo = new LinkedHashMap<>();
                Set<Integer> trimmed = new HashSet<>();
                for (int i = 0; i < page.count(); i++) {
                    int queue = page.queues()[i];
                    if (!c.kept()[i]) {
                        trimmed.add(queue);
                    } else if (!trimmed.contains(queue)) {
                        commitTo.merge(queue, page.offsets()[i] + 1, Math::max);
                    }
                }
                for (Map.Entry<Integer, Long> e : commitTo.entrySet()) {
                    byte[] commit = FerryClient.JSON.createObjectNode().put("topic", topic).put("queue", e.getKey())
                            .put("offset", e.getValue()).toString().getBytes(StandardCharsets.UTF_8);
                    HttpConnection.Response cr = conn.exchange(conn.head("POST", "/groups/" + g + "/commit", "application/json", commit.length), commit);
                    if (!cr.ok()) {
                        stats.failed(1, "commit: HTTP " + cr.status() + " " + cr.text());
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            stats.failed(1, "pulling from " + client.url() + " failed: " + e);
        }
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
