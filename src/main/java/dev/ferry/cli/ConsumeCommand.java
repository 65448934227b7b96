package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ferry consume TOPIC}: read messages either raw from one queue by offset ({@code --queue}) or as a
 * member of a consumer group ({@code --group}), which pulls from the queues the group gives this consumer and
 * commits what it printed. Each message is printed as {@code queue/offset [tags] body}, or as a JSON line.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Read messages: raw from one queue by offset (--queue), or through a consumer group (--group) that commits what it read.",
                "Prints one line per message: queue/offset [tags] body (or --json)."})
public final class ConsumeCommand implements Callable<Integer> {

    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC") String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = {"-q", "--queue"}, paramLabel = "ID", required = true, description = "Read this queue by offset.") Integer queue;
        @Option(names = {"-g", "--group"}, paramLabel = "GROUP", required = true, description = "Consume as a member of this group.") String group;
    }

    @Option(names = {"-o", "--offset"}, defaultValue = "0", description = "Raw mode: first offset to read (default: ${DEFAULT-VALUE}).") long offset;
    @Option(names = "--consumer", description = "Group mode: this consumer's id (default: cli-<pid>).") String consumer;
    @Option(names = {"-m", "--max"}, defaultValue = "32", description = "Messages per request (default: ${DEFAULT-VALUE}).") int max;
    @Option(names = {"-n", "--count"}, defaultValue = "0", description = "Stop after this many messages (0 = until nothing is left).") long count;
    @Option(names = "--tags", paramLabel = "A||B", description = "Only messages with one of these tags.") String tags;
    @Option(names = "--wait-ms", defaultValue = "1000", description = "Long-poll wait per request when nothing is there (default: ${DEFAULT-VALUE}).") int waitMs;
    @Option(names = {"-f", "--follow"}, description = {"Stream messages as they arrive (Ctrl-C to stop): one long-lived NDJSON stream",
            "(GET .../messages:stream or /groups/G/stream); in group mode the node commits what this client took unless --no-commit."}) boolean follow;
    @Option(names = "--no-commit", description = "Group mode: do not commit offsets (messages will be delivered again).") boolean noCommit;
    @Option(names = "--json", description = "Print each message as a JSON line.") boolean json;

    @Override
    public Integer call() {
        FerryClient c = client.client();
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        if (follow) return follow(c, out);
        if (source.queue != null) {
            long next = offset;
            while (count == 0 || printed < count) {
                int want = count == 0 ? max : (int) Math.min(max, count - printed);
                String q = FerryClient.topicPath(topic) + "/queues/" + source.queue + "/messages?offset=" + next + "&max=" + want
                        + "&waitMs=" + (follow ? waitMs : 0) + (tags == null ? "" : "&tags=" + FerryClient.encode(tags));
                JsonNode page = c.get(q);
                for (JsonNode m : page.path("messages")) {
                    print(out, source.queue, m);
                    printed++;
                }
                long nextOffset = page.path("nextOffset").asLong(next);
                if (page.path("messages").isEmpty() && !follow) {
                    break;
                }
                next = nextOffset;
            }
            spec.commandLine().getErr().println("consume: " + printed + " messages; next offset " + next);
            return 0;
        }
        String group = FerryClient.encode(source.group);
        String me = consumer != null ? consumer : "cli-" + ProcessHandle.current().pid();
        while (count == 0 || printed < count) {
            int want = count == 0 ? max : (int) Math.min(max, count - printed);
            ObjectNode pull = c.object().put("topic", topic).put("consumer", me).put("max", want).put("waitMs", waitMs);
            if (tags != null) pull.put("tags", tags);
            JsonNode answer = c.postJson("/groups/" + group + "/pull", pull);
            Map<Integer, Long> commit = new LinkedHashMap<>();
            for (JsonNode m : answer.path("messages")) {
                int queue = m.path("queue").asInt();
                print(out, queue, m);
                commit.merge(queue, m.path("offset").asLong() + 1, Math::max);
                printed++;
            }
            if (!noCommit) {
                commit.forEach((queue, next) -> c.postJson("/groups/" + group + "/commit",
                        c.object().put("topic", topic).put("queue", queue).put("offset", next)));
            }
            if (answer.path("messages").isEmpty() && !follow) {
                break;
            }
        }
        spec.commandLine().getErr().println("consume: " + printed + " messages" + (noCommit ? " (not committed)" : ", committed"));
        return 0;
    }

    /**
     * --follow: one streaming request instead of a polling loop; ends after --count messages or never. In group mode
     * this client commits what it printed (about once a second and at the end), as the polling loop does.
     */
    private Integer follow(FerryClient c, PrintWriter out) {
        String tagParam = tags == null ? "" : "&tags=" + FerryClient.encode(tags);
        String group = source.group == null ? null : FerryClient.encode(source.group);
        String path;
        if (group == null) {
            path = FerryClient.topicPath(topic) + "/queues/" + source.queue + "/messages:stream?offset=" + offset + "&max=" + max + tagParam;
        } else {
            String me = consumer != null ? consumer : "cli-" + ProcessHandle.current().pid();
            path = "/groups/" + group + "/stream?topic=" + FerryClient.encode(topic) + "&consumer=" + FerryClient.encode(me)
                    + "&max=" + max + "&commit=manual" + tagParam;
        }
        long[] printed = {0};
        long[] lastCommit = {System.nanoTime()};
        Map<Integer, Long> toCommit = new LinkedHashMap<>();
        Object lock = new Object(); // the stream's thread and a Ctrl-C's shutdown hook both commit
        Runnable commit = () -> {
            synchronized (lock) {
                if (group != null && !noCommit) toCommit.forEach((queue, next) -> c.postJson("/groups/" + group + "/commit",
                        c.object().put("topic", topic).put("queue", queue).put("offset", next)));
                toCommit.clear();
                lastCommit[0] = System.nanoTime();
            }
        };
        // --follow usually ends with Ctrl-C: commit what was printed then too, or it is delivered again.
        Thread onInterrupt = new Thread(commit, "ferry-consume-commit");
        boolean hook = group != null && !noCommit;
        if (hook) Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            c.stream(path, m -> {
                int queue = m.path("queue").asInt();
                print(out, queue, m);
                synchronized (lock) {
                    toCommit.merge(queue, m.path("offset").asLong() + 1, Math::max);
                }
                if (System.nanoTime() - lastCommit[0] > 1_000_000_000L) commit.run();
                printed[0]++;
                return count == 0 || printed[0] < count;
            });
        } finally {
            commit.run();
            if (hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or ran: it commits nothing more (the map is empty)
                }
            }
        }
        spec.commandLine().getErr().println("consume: " + printed[0] + " messages" + (group == null ? "" : noCommit ? " (not committed)" : ", committed"));
        return 0;
    }

    private void print(PrintWriter out, int queue, JsonNode m) {
        if (json) {
            out.println(m.toString());
        } else {
            String body = m.has("body") ? m.get("body").asText() : "base64:" + m.path("bodyBase64").asText();
            String t = m.path("tags").isEmpty() ? "" : " " + m.path("tags").toString();
            out.println(queue + "/" + m.path("offset").asText() + t + " " + body);
        }
        out.flush();
    }
}
