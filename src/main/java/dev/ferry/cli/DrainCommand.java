package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ferry cluster drain NODE}: Elasticsearch's "decommission a node" — adds NODE to
 * {@code ferry.allocation.exclude._name} (keeping names already there), so every copy leaves it: replicas by recovery
 * elsewhere, masters by a hand-over onto an in-sync replica, brokers to another node. {@code --wait} polls the
 * placement until nothing runs on NODE (then it is safe to stop); {@code --cancel} takes NODE out of the list again.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Move every copy off a node before stopping it: adds NODE to ferry.allocation.exclude._name (PUT /cluster/settings).",
                "--wait SECONDS polls GET /cluster/placement until nothing runs on NODE (exit 0), or gives up (exit 1).",
                "--cancel takes NODE out of ferry.allocation.exclude._name again."})
final class DrainCommand implements Callable<Integer> {

    static final String EXCLUDE_NAME = "ferry.allocation.exclude._name";

    @Mixin ClientOptions client;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NODE", description = "The node's name (ferry cluster nodes).") String node;
    @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait up to SECONDS until nothing runs on NODE.") Integer waitSeconds;
    @Option(names = "--cancel", description = "Stop draining NODE: copies may be placed on it again.") boolean cancel;

    @Override
    public Integer call() throws InterruptedException {
        FerryClient c = client.client();
        PrintWriter out = spec.commandLine().getOut();
        Set<String> excluded = new LinkedHashSet<>(excludedNames(c.get("/cluster/settings")));
        if (cancel) {
            excluded.remove(node);
        } else {
            List<String> members = new ArrayList<>();
            c.get("/cluster/nodes").path("nodes").forEach(n -> members.add(n.path("name").asText()));
            if (!members.contains(node) && !excluded.contains(node))
                throw new UserError("no node named '" + node + "' in the cluster (members: " + String.join(", ", members)
                        + "); names are those of 'ferry cluster nodes'");
            excluded.add(node);
        }
        ObjectNode body = c.object();
        ObjectNode persistent = body.putObject("persistent");
        if (excluded.isEmpty()) persistent.putNull(EXCLUDE_NAME);
        else persistent.put(EXCLUDE_NAME, String.join(",", excluded));
        JsonNode answer = c.putJson("/cluster/settings", body);
        out.println(EXCLUDE_NAME + " = " + (excluded.isEmpty() ? "(none)" : String.join(",", excluded)));
        if (!answer.path("acknowledged").asBoolean(true))
            spec.commandLine().getErr().println("cluster drain: stored by a majority, but not every node acknowledged it yet");
        if (cancel) {
            out.println(node + " is no longer drained: copies may be placed on it again");
            return 0;
        }
        if (waitSeconds == null) {
            out.println("draining " + node + "; 'ferry cluster placement' shows what still runs there");
            return 0;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        List<String> left = onNode(c.get("/cluster/placement"), node);
        int lastReported = -1;
        while (!left.isEmpty()) {
            if (left.size() != lastReported) {
                out.println(node + " still runs " + left.size() + " " + (left.size() == 1 ? "entity" : "entities") + ": " + summary(left));
                lastReported = left.size();
            }
            if (System.nanoTime() > deadline) {
                spec.commandLine().getErr().println("cluster drain: " + node + " still runs " + summary(left) + " after " + waitSeconds
                        + " s; 'ferry cluster explain' says why a copy cannot move (e.g. no other node may hold it)");
                return ErrorReporter.NODE_ERROR;
            }
            Thread.sleep(500);
            left = onNode(c.get("/cluster/placement"), node);
        }
        out.println(node + " is drained: nothing runs on it; it can be stopped");
        return 0;
    }

    static List<String> excludedNames(JsonNode settings) {
        List<String> out = new ArrayList<>();
        JsonNode v = settings.path("persistent").path(EXCLUDE_NAME);
        if (v.isMissingNode() || v.isNull()) return out;
        for (String s : v.asText().split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    /** "type entity" of everything the placement shows on {@code node}. */
    static List<String> onNode(JsonNode placement, String node) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : placement.path("copies"))
            if (node.equals(e.path("node").asText())) out.add(e.path("type").asText() + " " + e.path("entity").asText());
        return out;
    }

    private static String summary(List<String> entities) {
        return entities.size() <= 5 ? String.join(", ", entities) : String.join(", ", entities.subList(0, 5)) + ", ...";
    }
}
