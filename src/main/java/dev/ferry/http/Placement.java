package dev.ferry.http;

import akka.actor.Address;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Member;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import dev.ferry.broker.Broker;
import dev.ferry.node.FerrySettings;
import dev.ferry.node.Services;
import dev.ferry.queue.QueueEntity;
import dev.ferry.replica.Replica;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where sharding runs each broker, queue and replica entity right now (asks every region; for admin endpoints only). */
final class Placement {
    private final Services services;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    Placement(Services services) {
        this.services = services;
    }

    /** "type:entityId" -> node name, e.g. "queue:orders/0" -> "n1". */
    CompletionStage<Map<String, String>> entityNodes() {
        Map<String, String> names = nodeNames();
        List<EntityTypeKey<?>> types = List.of(Broker.TYPE_KEY, QueueEntity.TYPE_KEY, Replica.TYPE_KEY);
        List<CompletableFuture<Map<String, String>>> parts = types.stream().map(type -> stats(type).thenApply(s -> {
            Map<String, String> out = new TreeMap<>();
            // A shard without a running entity holds nothing (e.g. a deleted topic's passivated copy): not listed, so
            // a drained node shows empty once every entity has left it.
            s.getRegions().forEach((address, region) -> region.getStats().forEach((shard, entities) -> {
                if (((Number) entities).intValue() > 0) out.put(type.name() + ":" + shard, names.getOrDefault(address.toString(), address.toString()));
            }));
            return out;
        }).toCompletableFuture()).toList();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, String> all = new TreeMap<>();
            parts.forEach(p -> all.putAll(p.join()));
            return all;
        });
    }

    private CompletionStage<ShardRegion.ClusterShardingStats> stats(EntityTypeKey<?> type) {
        return AskPattern.ask(services.sharding().shardState(),
                r -> new GetClusterShardingStats(type, TIMEOUT, r), TIMEOUT.plusSeconds(1), services.system().scheduler());
    }

    /** Member address -> node name (from its "name:" role). */
    Map<String, String> nodeNames() {
        Map<String, String> out = new HashMap<>();
        for (Member m : Cluster.get(services.system()).state().getMembers()) out.put(m.address().toString(), nodeName(m));
        return out;
    }

    static String nodeName(Member m) {
        for (String role : m.getRoles()) if (role.startsWith(FerrySettings.NAME_ROLE_PREFIX)) return role.substring(FerrySettings.NAME_ROLE_PREFIX.length());
        return m.address().toString();
    }

    /** The member's advertised HTTP base URL, or "" for a member that does not publish one. */
    static String httpUrl(Member m) {
        for (String role : m.getRoles()) if (role.startsWith(FerrySettings.HTTP_ROLE_PREFIX)) return role.substring(FerrySettings.HTTP_ROLE_PREFIX.length());
        return "";
    }

    static Map<String, String> attributes(Member m) {
        Map<String, String> out = new TreeMap<>();
        for (String role : m.getRoles()) {
            if (!role.startsWith(FerrySettings.ATTR_ROLE_PREFIX)) continue;
            String kv = role.substring(FerrySettings.ATTR_ROLE_PREFIX.length());
            int eq = kv.indexOf('=');
            if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    static Address address(Member m) {
        return m.address();
    }
}
