package dev.ferry.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Broker shards to move so every node holds about as many: Brokers keep no data of their own (their state is in
 * Distributed Data), so they are spread like Akka's least-shard strategy spreads shards, a few per round, and a node
 * that started first does not keep every Broker after the others join. Pure.
 */
final class BrokerBalance {

    private BrokerBalance() {}

    /**
     * @param shardsByNode the Broker shards on each node that may hold Brokers (an empty list for a node with none)
     * @param limit        most moves in one round
     * @return shards to hand off: each from a node holding at least two more than the emptiest
     */
    static Set<String> toMove(Map<String, List<String>> shardsByNode, int limit) {
        Map<String, Integer> load = new HashMap<>();
        Map<String, List<String>> left = new HashMap<>();
        shardsByNode.forEach((node, shards) -> {
            load.put(node, shards.size());
            left.put(node, new ArrayList<>(shards.stream().sorted().toList()));
        });
        Set<String> out = new LinkedHashSet<>();
        Comparator<String> byLoad = Comparator.<String>comparingInt(load::get).thenComparing(Comparator.naturalOrder());
        while (out.size() < limit && load.size() > 1) {
            String most = load.keySet().stream().max(byLoad).orElseThrow();
            String least = load.keySet().stream().min(byLoad).orElseThrow();
            if (load.get(most) - load.get(least) <= 1) break;
            out.add(left.get(most).remove(left.get(most).size() - 1));
            load.merge(most, -1, Integer::sum);
            load.merge(least, 1, Integer::sum);
        }
        return out;
    }

    /** Akka's least-shard default: a tenth of the Brokers per round, at least one. */
    static int limit(int brokers) {
        return Math.max(1, brokers / 10);
    }
}
