package dev.ferry.broker;

import dev.ferry.cluster.CborSerializable;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routing state of one queue: which copy is master, the master's term, the in-sync copies, and the node each copy
 * last ran on (where its data is). Copy 0 is the Queue entity's first home; copies n >= 1 are Replica entities.
 *
 * @param master  copy number whose log the master serves
 * @param term    incremented on every promotion; fences stale masters
 * @param inSync  copy numbers whose log is complete up to the master's acknowledged offset
 * @param nodes   copy number -> name of the node that holds that copy's data ("" = never started)
 */
public record QueueRoute(int queueId, int master, long term, List<Integer> inSync, Map<Integer, String> nodes)
        implements CborSerializable {

    public QueueRoute {
        inSync = List.copyOf(inSync);
        nodes = Map.copyOf(new TreeMap<>(nodes));
    }

    /** A new queue: copy 0 is master; replicas join the in-sync set once they hold the log (replication, issue #5). */
    public static QueueRoute fresh(int queueId) {
        return new QueueRoute(queueId, 0, 1, List.of(0), Map.of());
    }

    public QueueRoute withNode(int copy, String node) {
        var m = new TreeMap<>(nodes);
        m.put(copy, node);
        return new QueueRoute(queueId, master, term, inSync, m);
    }

    /** The node the master's data lives on, or "" for a queue that never started. */
    public String masterNode() {
        return nodes.getOrDefault(master, "");
    }
}
