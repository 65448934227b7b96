package dev.ferry.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.FerryClient;
import dev.ferry.cli.UserError;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each queue's messages straight to the node of its master, as RocketMQ producers route by the topic's
 * route data and Kafka producers by partition leader: the topic's copies ({@code GET /topics/{t}}, queueStates) joined
 * with each node's advertised API ({@code GET /cluster/nodes}, "http"). Read once at the start of a run: a master
 * that moves later still gets its sends, forwarded by the node that received them.
 */
final class MasterRoutes {
    private static final long WAIT_NANOS = 30_000_000_000L;

    private MasterRoutes() {}

    /** One workload per queue, addressed to its master's node; waits up to 30 s for every queue's master to run. */
    static List<Workload> of(FerryClient client, Workload work) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        String missing;
        while (true) {
            Map<String, String> apiOf = new HashMap<>();
            for (JsonNode n : client.get("/cluster/nodes").path("nodes")) apiOf.put(n.path("name").asText(), n.path("http").asText(""));
            JsonNode queues = client.get(work.topicPath()).path("queueStates");
            List<Workload> routes = new ArrayList<>();
            missing = queues.isEmpty() ? "the topic lists no queues yet" : null;
            for (JsonNode q : queues) {
                String node = q.path("master").path("node").asText("");
                String api = apiOf.getOrDefault(node, "");
                if (api.isEmpty()) {
                    missing = node.isEmpty() ? "queue " + q.path("queue").asInt() + " has no running master"
                            : "node " + node + " (master of queue " + q.path("queue").asInt() + ") advertises no HTTP address";
                    break;
                }
                routes.add(work.to(URI.create(api), q.path("queue").asInt()));
            }
            if (missing == null) return routes;
            if (System.nanoTime() - deadline > 0) break;
            Thread.sleep(250);
        }
        throw new UserError("--to-masters: " + missing + " after 30 s; check GET /topics/" + work.topic()
                + " and GET /cluster/nodes, or send through --url without --to-masters");
    }
}
