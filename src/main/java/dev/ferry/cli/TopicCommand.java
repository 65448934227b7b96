package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.broker.TopicSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code ferry topic create|list|describe|delete}: topic administration (RocketMQ's mqadmin updateTopic/topicList/topicRoute/deleteTopic). */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Create, list, describe and delete topics.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class, TopicCommand.Delete.class})
public final class TopicCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a topic (PUT /topics/{topic}); fields left out take the node's ferry.topic.* defaults.",
                    "A topic that already exists is an error (exit 1), as with kafka-topics --create, unless --if-not-exists is given:",
                    "then it exits 0 quietly when the topic exists with these settings. Different settings are an error either way."})
    static final class Create extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "TOPIC") String topic;
        @Option(names = "--if-not-exists", description = "An existing topic with these settings is not an error: exit 0 and print nothing.")
        boolean ifNotExists;
        @Option(names = {"-q", "--queues"}, description = "Number of queues (1..1024).") Integer queues;
        @Option(names = {"-r", "--replicas"}, description = "Replica copies per queue besides the master (0 = master only, at most 16).") Integer replicas;
        @Option(names = "--replication", description = "sync | async") String replication;
        @Option(names = "--flush", description = "sync | async") String flush;
        @Option(names = "--max-message-size", paramLabel = "BYTES", description = "Largest message body in bytes.") Long maxMessageSize;
        @Option(names = {"-s", "--setting"}, paramLabel = "KEY=VALUE", description = "Topic-level setting, e.g. topic.allocation.require.zone=zone-1 (repeatable).")
        Map<String, String> settings;

        /** The ranges the node checks too (TopicSettings.validate), refused here as usage errors (exit 2). */
        private void validate() {
            if (queues != null && (queues < 1 || queues > TopicSettings.MAX_QUEUES))
                throw new ParameterException(spec.commandLine(), "--queues must be between 1 and " + TopicSettings.MAX_QUEUES + ", was " + queues);
            if (replicas != null && (replicas < 0 || replicas > TopicSettings.MAX_REPLICAS))
                throw new ParameterException(spec.commandLine(), "--replicas must be between 0 and " + TopicSettings.MAX_REPLICAS + ", was " + replicas);
            if (replication != null && !replication.equals("sync") && !replication.equals("async"))
                throw new ParameterException(spec.commandLine(), "--replication must be sync or async, was \"" + replication + "\"");
            if (flush != null && !flush.equals("sync") && !flush.equals("async"))
                throw new ParameterException(spec.commandLine(), "--flush must be sync or async, was \"" + flush + "\"");
            if (maxMessageSize != null && maxMessageSize < 1)
                throw new ParameterException(spec.commandLine(), "--max-message-size must be positive, was " + maxMessageSize);
        }

        @Override
        JsonNode ask(FerryClient c) {
            validate();
            ObjectNode body = c.object();
            if (queues != null) body.put("queues", queues);
            if (replicas != null) body.put("replicas", replicas);
            if (replication != null) body.put("replication", replication);
            if (flush != null) body.put("flush", flush);
            if (maxMessageSize != null) body.put("maxMessageSize", maxMessageSize);
            if (settings != null) {
                ObjectNode s = body.putObject("settings");
                settings.forEach(s::put);
            }
            FerryClient.Answer answer = c.putJsonAnswer(FerryClient.topicPath(topic), body);
            if (answer.status() == 200) { // 201 is a creation; 200 an existing topic with the same settings
                if (ifNotExists) {
                    return null;
                }
                throw new UserError("topic " + topic + " already exists (with these settings); --if-not-exists makes that not an error");
            }
            return answer.body();
        }

        @Override
        void print(JsonNode created, PrintWriter out) {
            out.printf("topic %s: %s queues, %s replicas, replication %s, flush %s%n", created.path("name").asText(topic),
                    created.path("queues").asText(), created.path("replicas").asText(),
                    created.path("replication").asText(), created.path("flush").asText());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics (GET /topics).")
    static final class ListTopics extends AnswerCommand {
        @Override
        JsonNode ask(FerryClient node) {
            return node.get("/topics");
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("TOPIC", "QUEUES", "REPLICAS", "REPLICATION", "FLUSH");
            for (JsonNode topic : answer.path("topics")) {
                t.row(topic.path("name").asText(), topic.path("queues").asText(), topic.path("replicas").asText(),
                        topic.path("replication").asText(), topic.path("flush").asText());
            }
            t.print(out);
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Settings, queues, offsets and where each copy is (GET /topics/{topic}).")
    static final class Describe extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "TOPIC") String topic;

        @Override
        JsonNode ask(FerryClient node) {
            return node.get(FerryClient.topicPath(topic));
        }

        @Override
        void print(JsonNode t, PrintWriter out) {
            out.printf("topic %s: %s queues, %s replicas, replication %s, flush %s, max message %s bytes, settings %s%n",
                    t.path("name").asText(), t.path("queues").asText(), t.path("replicas").asText(), t.path("replication").asText(),
                    t.path("flush").asText(), t.path("maxMessageSize").asText(), t.path("settings"));
            Table table = new Table("QUEUE", "MIN", "MAX", "MASTER", "TERM", "COPIES");
            for (JsonNode q : t.path("queueStates")) {
                StringBuilder copies = new StringBuilder();
                for (JsonNode c : q.path("copies")) {
                    copies.append(copies.isEmpty() ? "" : " ").append(c.path("copy").asText()).append(':')
                            .append(c.path("role").asText()).append('@').append(c.path("node").asText().isEmpty() ? "-" : c.path("node").asText())
                            .append(c.path("node").asText().isEmpty() && !c.path("lastNode").asText().isEmpty()
                                    ? "(last on " + c.path("lastNode").asText() + ")" : "")
                            .append(c.path("inSync").asBoolean() ? "" : "(out of sync)");
                }
                table.row(q.path("queue").asText(), q.path("minOffset").asText(), q.path("maxOffset").asText(),
                        q.path("master").path("node").asText("-"), q.path("master").path("term").asText("-"), copies);
            }
            table.print(out);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its messages (DELETE /topics/{topic}).")
    static final class Delete extends AnswerCommand {
        @Parameters(index = "0", paramLabel = "TOPIC") String topic;

        @Override
        JsonNode ask(FerryClient node) {
            return node.delete(FerryClient.topicPath(topic));
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            out.println("topic " + topic + " deleted");
        }
    }
}
