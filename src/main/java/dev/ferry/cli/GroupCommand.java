package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code ferry group list|describe|reset|delete}: the groups, a group's offsets, lag and consumers, moving its committed
 * offsets, forgetting it (kafka-consumer-groups {@code --list}, {@code --describe}, {@code --reset-offsets},
 * {@code --delete}; RocketMQ's mqadmin consumerProgress, resetOffsetByTime, deleteSubGroup).
 */
@Command(name = "group", mixinStandardHelpOptions = true, description = "List, describe, reset and delete consumer groups.",
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.Reset.class, GroupCommand.Delete.class})
public final class GroupCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The groups with committed offsets, and their topics (GET /groups).")
    static final class ListGroups extends AnswerCommand {
        @Override
        JsonNode ask(FerryClient c) {
            return c.get("/groups");
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("GROUP", "TOPICS");
            for (JsonNode g : answer.path("groups")) {
                StringBuilder topics = new StringBuilder();
                g.path("topics").forEach(x -> topics.append(topics.isEmpty() ? "" : ",").append(x.asText()));
                t.row(g.path("group").asText(), topics);
            }
            t.print(out);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Forget every committed offset of a group with no live consumer (DELETE /groups/{group}).")
    static final class Delete extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "GROUP") String group;

        @Override
        JsonNode ask(FerryClient c) {
            return c.delete("/groups/" + FerryClient.encode(group));
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            out.println("group " + group + " deleted");
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Committed offsets, lag and live consumers per topic (GET /groups/{group}).")
    static final class Describe extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "GROUP") String group;

        @Override
        JsonNode ask(FerryClient c) {
            return c.get("/groups/" + FerryClient.encode(group));
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("TOPIC", "QUEUE", "COMMITTED", "MAX-OFFSET", "LAG", "CONSUMER");
            for (JsonNode topic : answer.path("topics")) {
                for (JsonNode q : topic.path("queues")) {
                    int queue = q.path("queue").asInt();
                    String owner = "-";
                    for (JsonNode c : topic.path("consumers"))
                        for (JsonNode owned : c.path("queues")) if (owned.asInt() == queue) owner = c.path("consumer").asText();
                    t.row(topic.path("topic").asText(), queue, q.path("committed").asText(), q.path("maxOffset").asText(), q.path("lag").asText(), owner);
                }
            }
            t.print(out);
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Set the group's committed offsets of a topic (POST /groups/{group}/reset), as kafka-consumer-groups --reset-offsets.",
                    "Only while the group has no live consumer of the topic. With --dry-run, print the offsets and set nothing."})
    static final class Reset extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "GROUP") String group;
        @Option(names = {"-t", "--topic"}, required = true, description = "The topic whose offsets to set.") String topic;
        @Option(names = {"-q", "--queues"}, split = ",", paramLabel = "ID", description = "Only these queues (default: all).") List<Integer> queues;
        @Option(names = "--dry-run", description = "Print the offsets a reset would set; set nothing.") boolean dryRun;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--to-earliest", required = true, description = "Each queue's first retained offset.") boolean earliest;
            @Option(names = "--to-latest", required = true, description = "Each queue's end: skip everything sent so far.") boolean latest;
            @Option(names = "--to-datetime", required = true, paramLabel = "TIME",
                    description = "Each queue's first message accepted at or after TIME (ISO-8601 such as 2026-11-23T10:00:00Z, or epoch ms).") String datetime;
            @Option(names = "--to-offset", required = true, paramLabel = "N", description = "This offset in each queue (clamped to what it holds).") Long offset;
        }

        @Override
        JsonNode ask(FerryClient c) {
            ObjectNode body = c.object().put("topic", topic);
            if (target.earliest) body.put("to", "earliest");
            else if (target.latest) body.put("to", "latest");
            else if (target.datetime != null) {
                if (target.datetime.isBlank()) throw new ParameterException(spec.commandLine(), "--to-datetime needs a time, e.g. 2026-11-23T10:00:00Z");
                body.put("to", "timestamp").put("timestamp", target.datetime.trim());
            } else {
                if (target.offset < 0) throw new ParameterException(spec.commandLine(), "--to-offset must be 0 or more, was " + target.offset);
                body.put("to", "offset").put("offset", target.offset);
            }
            if (queues != null) {
                for (Integer q : queues)
                    if (q == null || q < 0) throw new ParameterException(spec.commandLine(), "--queues must be queue ids (0 or more), was " + queues);
                queues.forEach(body.putArray("queues")::add);
            }
            if (dryRun) body.put("dryRun", true);
            return c.postJson("/groups/" + FerryClient.encode(group) + "/reset", body);
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("TOPIC", "QUEUE", "NEW-OFFSET");
            for (JsonNode q : answer.path("queues")) t.row(answer.path("topic").asText(), q.path("queue").asText(), q.path("offset").asText());
            t.print(out);
            if (answer.path("dryRun").asBoolean()) out.println("(dry run: nothing was set)");
        }
    }
}
