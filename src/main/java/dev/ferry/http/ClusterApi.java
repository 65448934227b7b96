package dev.ferry.http;

import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Member;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cluster.ClusterInfo;
import dev.ferry.cluster.DiskUsage;
import dev.ferry.node.Services;
import dev.ferry.replica.RecoverySettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Cluster endpoints: nodes, placement, allocation explain, dynamic settings (docs/http-api.md, "Cluster"). */
final class ClusterApi {
    private final Services services;
    private final Placement placement;
    private final AllocationApi allocation;

    ClusterApi(Services services, Placement placement, AllocationApi allocation) {
        this.services = services;
        this.placement = placement;
        this.allocation = allocation;
    }

    CompletionStage<HttpResponse> nodes() {
        return placement.entityNodes().thenApply(where -> {
            Map<String, int[]> copies = new HashMap<>();
            where.forEach((entity, node) -> {
                int[] c = copies.computeIfAbsent(node, n -> new int[3]);
                if (entity.startsWith("broker:")) c[0]++;
                else if (entity.startsWith("queue:")) c[1]++;
                else c[2]++;
            });
            Map<String, DiskUsage> disk = services.clusterInfo().disk();
            var state = Cluster.get(services.system()).state();
            List<Object> nodes = new ArrayList<>();
            for (Member m : state.getMembers()) {
                String name = Placement.nodeName(m);
                DiskUsage d = disk.get(name);
                int[] c = copies.getOrDefault(name, new int[3]);
                nodes.add(Responses.map("name", name, "address", m.address().toString(), "http", Placement.httpUrl(m), "status", m.status().toString(),
                        "reachable", !state.getUnreachable().contains(m), "attributes", Placement.attributes(m),
                        "disk", d == null ? null : Responses.map("totalBytes", d.totalBytes(), "freeBytes", d.freeBytes(),
                                "dataBytes", d.dataBytes(), "usedPercent", Math.round(d.usedFraction() * 1000) / 10.0, "reportedAt", d.reportedAt()),
                        "copies", Responses.map("brokers", c[0], "masters", c[1], "replicas", c[2])));
            }
            return Responses.json(200, Responses.map("nodes", nodes));
        });
    }

    CompletionStage<HttpResponse> placement() {
        return placement.entityNodes().thenApply(where -> {
            List<Object> copies = new ArrayList<>();
            where.forEach((key, node) -> {
                int colon = key.indexOf(':');
                String type = key.substring(0, colon);
                String entity = key.substring(colon + 1);
                String[] parts = entity.split("/");
                Map<String, Object> row = Responses.map("type", type, "entity", entity, "topic", parts[0]);
                if (parts.length > 1) row.put("queue", Integer.parseInt(parts[1]));
                if (!type.equals("broker")) {
                    row.put("copy", parts.length > 2 ? Integer.parseInt(parts[2]) : 0);
                    row.put("role", type.equals("queue") ? "master" : "replica");
                }
                row.put("node", node);
                copies.add(row);
            });
            return Responses.json(200, Responses.map("copies", copies));
        });
    }

    CompletionStage<HttpResponse> explain(Map<String, String> params) {
        return allocation.explain(params);
    }

    CompletionStage<HttpResponse> getSettings() {
        Map<String, String> defaults = new TreeMap<>(allocation.defaults());
        defaults.putAll(RecoverySettings.configured(services.system().settings().config()));
        return CompletableFuture.completedFuture(Responses.json(200, Responses.map(
                "persistent", new TreeMap<>(services.clusterInfo().dynamicSettings()), "defaults", defaults)));
    }

    CompletionStage<HttpResponse> putSettings(byte[] body) {
        Bodies.ClusterSettings req = Json.parse(body, Bodies.ClusterSettings.class, "cluster settings");
        if (req.persistent() == null) throw ApiException.badRequest("invalid_field", "field 'persistent' is required: {\"persistent\": {\"<setting>\": \"<value>\" | null}}");
        Map<String, String> changes = new HashMap<>();
        req.persistent().forEach((k, v) -> {
            String value = v == null || v.isNull() ? null : (v.isValueNode() ? v.asText() : null);
            if (v != null && !v.isNull() && !v.isValueNode())
                throw ApiException.badRequest(RecoverySettings.DYNAMIC.contains(k) ? "invalid_settings" : "invalid_field", "persistent." + k
                        + ": expected a string, number or boolean, got " + v.getNodeType().name().toLowerCase()
                        + (RecoverySettings.DYNAMIC.contains(k) ? "; the setting " + RecoverySettings.accepted(k, maxChunkSize()) : ""));
            changes.put(k, value);
        });
        Map<String, String> next = new HashMap<>(services.clusterInfo().dynamicSettings());
        changes.forEach((k, v) -> { if (v == null) next.remove(k); else next.put(k, v); });
        allocation.validate(next); // throws 400 naming the setting
        validateRecovery(changes);
        var dd = DistributedData.get(services.system());
        var self = dd.selfUniqueAddress();
        Duration timeout = Duration.ofSeconds(5);
        return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, String>>>ask(dd.replicator(),
                r -> new Replicator.Update<>(ClusterInfo.SETTINGS_KEY, LWWMap.create(), new Replicator.WriteMajority(timeout), r, m -> {
                    LWWMap<String, String> out = m;
                    for (var e : changes.entrySet()) out = e.getValue() == null ? out.remove(self, e.getKey()) : out.put(self, e.getKey(), e.getValue());
                    return out;
                }), timeout.plusSeconds(1), services.system().scheduler()).thenApply(rsp -> {
            if (!(rsp instanceof Replicator.UpdateSuccess<LWWMap<String, String>>))
                throw new ApiException(503, "not_confirmed", "the settings change was not confirmed by a majority of nodes in time; retry");
            services.clusterInfo().learnSettings(next);
            return next;
        }).thenCompose(applied -> AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, String>>>ask(dd.replicator(),
                // As ES's "acknowledged": push the settings to every node (an unchanged update written to all), then have
                // every node apply what its replica holds and confirm, so an operator who stops a node right after
                // "enable = primaries" knows every node, the shard coordinators' too, decides with it. (A node hears a
                // replicated change only at its next notify-subscribers-interval: CI once saw a replica placed within
                // that window after "enable = none".)
                r -> new Replicator.Update<>(ClusterInfo.SETTINGS_KEY, LWWMap.create(), new Replicator.WriteAll(ACK_TIMEOUT), r, m -> m),
                ACK_TIMEOUT.plusSeconds(1), services.system().scheduler())
                .thenCompose(rsp -> rsp instanceof Replicator.UpdateSuccess<LWWMap<String, String>>
                        ? ClusterInfo.confirmAppliedEverywhere(services.system(), ACK_TIMEOUT)
                        : CompletableFuture.completedFuture(false))
                .handle((acknowledged, failure) -> Responses.json(200, Responses.map("persistent", new TreeMap<>(applied),
                        "acknowledged", failure == null && acknowledged))));
    }

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(3);

    /** Throws 400 naming the setting and the accepted format when a recovery-throttle value is not valid on this node. */
    private void validateRecovery(Map<String, String> changes) {
        changes.forEach((k, v) -> {
            if (v == null || !RecoverySettings.DYNAMIC.contains(k)) return;
            try {
                RecoverySettings.validate(k, v, maxChunkSize());
            } catch (RecoverySettings.InvalidValue e) {
                throw ApiException.badRequest("invalid_settings", e.getMessage());
            }
        });
    }

    private long maxChunkSize() {
        return RecoverySettings.maxChunkSize(services.system().settings().config());
    }

}
