package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code ferry consume TOPIC}: read messages either raw from one queue by offset ({@code --queue}) or as a
 * member of a consumer group ({@code --group}), which pulls from the queues the group gives this consumer, starting at
 * the group's committed offsets (each run is a new session of the consumer), commits what it printed and no more, and
 * leaves the group on exit. Each message is printed as {@code queue/offset [tags] body}, or as a JSON line.
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
    @Option(names = "--from-time", paramLabel = "TIME", description = {"Raw mode: start at the first message accepted at or after TIME",
            "(ISO-8601 such as 2026-11-23T10:00:00Z, or epoch milliseconds) instead of --offset."}) String fromTime;
    @Option(names = "--consumer", description = {"Group mode: this consumer's id (default: cli-<pid>). Each run is a new session of it:",
            "it starts at the group's committed offsets and leaves the group on exit."}) String consumer;
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
        validate();
        FerryClient c = client.client();
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (fromTime != null) offset = offsetAt(c, fromTime);
            if (follow) return follow(c, out);
            return source.queue != null ? raw(c, out) : group(c, out);
        } catch (FerryHttpException e) {
            // An error line in a stream that was answering (status 200), or a 404 after the topic answered: it went away.
            if (e.error().equals("topic_not_found") && (e.status() == 200 || topicSeen))
                throw new UserError("topic " + topic + " was deleted");
            throw e;
        }
    }

    /** Set once the node answered a read or pull of the topic: a topic_not_found after it means the topic was deleted. */
    private volatile boolean topicSeen;

    private void validate() {
        if (max < 1) throw new ParameterException(spec.commandLine(), "--max must be at least 1, was " + max);
        if (count < 0) throw new ParameterException(spec.commandLine(), "--count must be 0 (no limit) or more, was " + count);
        if (waitMs < 0) throw new ParameterException(spec.commandLine(), "--wait-ms must be 0 or more, was " + waitMs);
        if (offset < 0) throw new ParameterException(spec.commandLine(), "--offset must be 0 or more, was " + offset);
        if (fromTime != null && source.queue == null)
            throw new ParameterException(spec.commandLine(), "--from-time needs --queue; a group starts at its committed offsets "
                    + "(to move a group to a time, commit the offsets of GET /topics/" + topic + "/offsets?timestamp=TIME)");
        if (fromTime != null && spec.commandLine().getParseResult().hasMatchedOption("--offset"))
            throw new ParameterException(spec.commandLine(), "give --offset or --from-time, not both");
        if (fromTime != null && fromTime.isBlank())
            throw new ParameterException(spec.commandLine(), "--from-time needs a time: ISO-8601 such as 2026-11-23T10:00:00Z, or epoch milliseconds");
    }

    /** The queue's first offset accepted at or after {@code time}, asked of the node (GET .../offset?timestamp=). */
    private long offsetAt(FerryClient c, String time) {
        JsonNode found = c.get(FerryClient.topicPath(topic) + "/queues/" + source.queue + "/offset?timestamp=" + FerryClient.encode(time.trim()));
        topicSeen = true;
        return found.path("offset").asLong();
    }

    private Integer raw(FerryClient c, PrintWriter out) {
        long printed = 0;
        long next = offset;
        while (count == 0 || printed < count) {
            int want = count == 0 ? max : (int) Math.min(max, count - printed);
            String q = FerryClient.topicPath(topic) + "/queues/" + source.queue + "/messages?offset=" + next + "&max=" + want
                    + "&waitMs=0" + (tags == null ? "" : "&tags=" + FerryClient.encode(tags));
            JsonNode page = c.get(q);
            topicSeen = true;
            for (JsonNode m : page.path("messages")) {
                print(out, source.queue, m);
                printed++;
            }
            long nextOffset = page.path("nextOffset").asLong(next);
            if (page.path("messages").isEmpty()) {
                break;
            }
            next = nextOffset;
        }
        spec.commandLine().getErr().println("consume: " + printed + " messages; next offset " + next);
        return 0;
    }

    /**
     * Group mode: pulls as this consumer in a session of its own (a fresh random one per run, so the node restarts this
     * consumer's queues at the committed offsets instead of where an earlier run got), commits only what it printed,
     * and leaves the group on every exit (the end, --count reached, an error, Ctrl-C or SIGTERM).
     */
    private Integer group(FerryClient c, PrintWriter out) {
        GroupMember member = new GroupMember(c, me(), UUID.randomUUID().toString());
        long printed = 0;
        try (member) {
            while (count == 0 || printed < count) {
                int want = count == 0 ? max : (int) Math.min(max, count - printed);
                ObjectNode pull = c.object().put("topic", topic).put("consumer", member.consumer).put("session", member.session)
                        .put("max", want).put("waitMs", waitMs);
                if (tags != null) pull.put("tags", tags);
                JsonNode answer = c.postJson(member.groupPath + "/pull", pull);
                topicSeen = true;
                for (JsonNode m : answer.path("messages")) {
                    int queue = m.path("queue").asInt();
                    member.print(() -> print(out, queue, m), queue, m.path("offset").asLong() + 1);
                    printed++;
                }
                member.commit();
                if (answer.path("messages").isEmpty()) {
                    break;
                }
            }
        }
        spec.commandLine().getErr().println("consume: " + printed + " messages" + (noCommit ? " (not committed)" : ", committed"));
        return 0;
    }

    private String me() {
        return consumer != null ? consumer : "cli-" + ProcessHandle.current().pid();
    }

    /**
     * --follow: one streaming request instead of a polling loop; ends after --count messages or never. In group mode
     * this client commits what it printed (about once a second and at the end), as the polling loop does, and leaves
     * the group on exit; the stream is a session of the consumer of its own (it starts at the committed offsets).
     */
    private Integer follow(FerryClient c, PrintWriter out) {
        String tagParam = tags == null ? "" : "&tags=" + FerryClient.encode(tags);
        int perRead = count == 0 ? max : (int) Math.min(max, count);
        if (source.group == null) {
            String path = FerryClient.topicPath(topic) + "/queues/" + source.queue + "/messages:stream?offset=" + offset + "&max=" + perRead + tagParam;
            long[] printed = {0};
            c.stream(path, m -> {
                topicSeen = true;
                print(out, source.queue, m);
                printed[0]++;
                return count == 0 || printed[0] < count;
            });
            spec.commandLine().getErr().println("consume: " + printed[0] + " messages");
            return 0;
        }
        GroupMember member = new GroupMember(c, me(), null);
        String path = member.groupPath + "/stream?topic=" + FerryClient.encode(topic) + "&consumer=" + FerryClient.encode(member.consumer)
                + "&max=" + perRead + "&commit=manual" + tagParam;
        long[] printed = {0};
        long[] lastCommit = {System.nanoTime()};
        try (member) {
            c.stream(path, m -> {
                topicSeen = true;
                int queue = m.path("queue").asInt();
                member.print(() -> print(out, queue, m), queue, m.path("offset").asLong() + 1);
                if (System.nanoTime() - lastCommit[0] > 1_000_000_000L) {
                    member.commit();
                    lastCommit[0] = System.nanoTime();
                }
                printed[0]++;
                return count == 0 || printed[0] < count;
            });
        }
        spec.commandLine().getErr().println("consume: " + printed[0] + " messages" + (noCommit ? " (not committed)" : ", committed"));
        return 0;
    }

    /**
     * This run's membership of the group: the offsets it printed and has not committed yet, committed by
     * {@link #commit} and once more on {@link #close}, which also leaves the group (Kafka's LeaveGroup on close) so its
     * queues go to the other consumers at once instead of a session timeout later. A shutdown hook closes it on Ctrl-C
     * or SIGTERM; only what was printed is ever committed.
     */
    private final class GroupMember implements AutoCloseable {
        final FerryClient c;
        final String consumer;
        final String session;
        final String groupPath;
        private final Map<Integer, Long> printed = new LinkedHashMap<>();
        private boolean closed;
        private final Thread hook = new Thread(this::close, "ferry-consume-exit");

        GroupMember(FerryClient c, String consumer, String session) {
            this.c = c;
            this.consumer = consumer;
            this.session = session;
            this.groupPath = "/groups/" + FerryClient.encode(source.group);
            Runtime.getRuntime().addShutdownHook(hook);
        }

        /** Prints a message and remembers its queue's next offset to commit, unless this member is closed (Ctrl-C). */
        synchronized void print(Runnable print, int queue, long next) {
            if (closed) return;
            print.run();
            printed.merge(queue, next, Math::max);
        }

        /** Commits what was printed since the last commit. */
        synchronized void commit() {
            if (!noCommit) {
                for (var it = printed.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    c.postJson(groupPath + "/commit", c.object().put("topic", topic).put("queue", e.getKey()).put("offset", e.getValue()));
                    it.remove();
                }
            }
            printed.clear();
        }

        /** Commits what is left and leaves the group; once. A failure is one line on standard error, not an exit code. */
        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            if (Thread.currentThread() != hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook waits for this close and then finds it done
                }
            }
            try {
                commit();
            } catch (FerryHttpException | NodeUnreachableException e) {
                if (!gone(e)) spec.commandLine().getErr().println("consume: could not commit what was printed: " + e.getMessage());
            }
            ObjectNode leave = c.object().put("topic", topic).put("consumer", consumer);
            if (session != null) leave.put("session", session);
            try {
                c.postJson(groupPath + "/leave", leave);
            } catch (FerryHttpException | NodeUnreachableException e) {
                if (!gone(e)) spec.commandLine().getErr().println("consume: could not leave group " + source.group + ": " + e.getMessage());
            }
        }

        /** The topic was deleted: there is nothing to commit on or leave. */
        private boolean gone(RuntimeException e) {
            return e instanceof FerryHttpException h && h.error().equals("topic_not_found");
        }
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
