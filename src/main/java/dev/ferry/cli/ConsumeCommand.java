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
    @Option(names = {"-f", "--follow"}, description = "Keep waiting for new messages (Ctrl-C to stop).") boolean follow;
    @Option(names = "--no-commit", description = "Group mode: do not commit offsets (messages will be delivered again).") boolean noCommit;
    @Option(names = "--json", description = "Print each message as a JSON line.") boolean json;

    @Override
    public Integer call() {
        FerryClient c = client.client();
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
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
