package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** {@code ferry cluster nodes|placement|explain|settings|drain}: the cluster's members, where copies are, and why. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Cluster members, placement, allocation explanations, settings and drain.",
        subcommands = {ClusterCommand.Nodes.class, ClusterCommand.Placement.class, ClusterCommand.Explain.class, ClusterCommand.Settings.class,
                DrainCommand.class})
public final class ClusterCommand {

    @Command(name = "nodes", mixinStandardHelpOptions = true, description = "Members with attributes, disk use and copies (GET /cluster/nodes).")
    static final class Nodes extends AnswerCommand {
        @Override
        JsonNode ask(FerryClient node) {
            return node.get("/cluster/nodes");
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("NODE", "STATUS", "REACHABLE", "ATTRIBUTES", "DISK", "BROKERS", "MASTERS", "REPLICAS", "ADDRESS");
            for (JsonNode n : answer.path("nodes")) {
                StringBuilder attrs = new StringBuilder();
                n.path("attributes").fields().forEachRemaining(e -> attrs.append(attrs.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asText()));
                JsonNode disk = n.path("disk");
                String used = disk.has("usedPercent") ? String.format(Locale.ROOT, "%.1f%%", disk.get("usedPercent").asDouble()) : "-";
                t.row(n.path("name").asText(), n.path("status").asText(), n.path("reachable").asText(), attrs, used,
                        n.path("copies").path("brokers").asText("-"), n.path("copies").path("masters").asText("-"),
                        n.path("copies").path("replicas").asText("-"), n.path("address").asText());
            }
            t.print(out);
        }
    }

    @Command(name = "placement", mixinStandardHelpOptions = true, description = "Where each broker, master and replica runs now (GET /cluster/placement).")
    static final class Placement extends AnswerCommand {
        @Override
        JsonNode ask(FerryClient node) {
            return node.get("/cluster/placement");
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Table t = new Table("ENTITY", "TYPE", "ROLE", "NODE");
            for (JsonNode c : answer.path("copies")) {
                t.row(c.path("entity").asText(), c.path("type").asText(), c.path("role").asText("-"), c.path("node").asText());
            }
            t.print(out);
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {"Why a copy is where it is, or why it is unassigned: every decider's answer per node (GET /cluster/allocation/explain).",
                    "Without --queue: the topic's Broker entity."})
    static final class Explain extends AnswerCommand {
        @Option(names = {"-t", "--topic"}, required = true) String topic;
        @Option(names = {"-q", "--queue"}) Integer queue;
        @Option(names = {"-c", "--copy"}, defaultValue = "0", description = "0 = master, n = replica n (default: ${DEFAULT-VALUE}).") int copy;

        @Override
        JsonNode ask(FerryClient node) {
            return node.get("/cluster/allocation/explain?topic=" + FerryClient.encode(topic)
                    + (queue == null ? "" : "&queue=" + queue + "&copy=" + copy));
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            ExplainText.print(answer, out);
        }
    }

    @Command(name = "settings", mixinStandardHelpOptions = true,
            description = {"Show the dynamic settings (allocation, recovery throttle), or change them with --set (PUT /cluster/settings; kept across restarts).",
                    "--set key= (empty value) resets a setting to its default."})
    static final class Settings extends AnswerCommand {
        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "e.g. ferry.allocation.enable=primaries, ferry.replication.recovery.max-bytes-per-sec=100mb (repeatable).")
        Map<String, String> set;

        @Override
        JsonNode ask(FerryClient c) {
            if (set == null || set.isEmpty()) {
                return c.get("/cluster/settings");
            }
            ObjectNode body = c.object();
            ObjectNode persistent = body.putObject("persistent");
            set.forEach((k, v) -> {
                if (v == null || v.isEmpty()) persistent.putNull(k);
                else persistent.put(k, v);
            });
            return c.putJson("/cluster/settings", body);
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            Output.text(out, answer);
        }
    }
}
