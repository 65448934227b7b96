package dev.ferry.broker;

import dev.ferry.cluster.CborSerializable;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routing state of one queue: which copy is master, the master's term, the in-sync copies, and the node each copy
 * last ran on (where its data is). Copy numbers are entity slots: copy 0 is the Queue entity (the master), copies
 * n >= 1 are Replica entities; {@code nodes} says where each slot's data lives. A promotion swaps slots: the master
 * slot 0 moves to the node of in-sync replica n, and slot n takes the former master's node (stale, out of sync).
 *
 * @param master  copy number whose log the master serves (always 0: promotion swaps slots instead)
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

    /**
     * The route once the master starts on {@code node} with a new term: in place (a brand-new queue, or the node
     * that already holds slot 0), or by promotion onto the node of an in-sync replica slot. Null when {@code node}
     * holds no in-sync copy, so a master there would serve a log that may miss acknowledged messages.
     */
    public QueueRoute promotedOn(String node) {
        String current = nodes.getOrDefault(0, "");
        if (current.isEmpty() || current.equals(node)) {
            var m = new TreeMap<>(nodes);
            m.put(0, node);
            return new QueueRoute(queueId, 0, term + 1, withMaster(inSync), m);
        }
        for (var e : nodes.entrySet()) {
            int copy = e.getKey();
            if (copy == 0 || !e.getValue().equals(node) || !inSync.contains(copy)) continue;
            var m = new TreeMap<>(nodes);
            m.put(0, node);
            m.put(copy, current);
            List<Integer> isr = new java.util.ArrayList<>(withMaster(inSync));
            isr.remove(Integer.valueOf(copy));
            return new QueueRoute(queueId, 0, term + 1, isr, m);
        }
        return null;
    }

    /**
     * The in-sync set a master of {@code term} reported, with the node of each copy it names (replica slots only: the
     * master's own slot stays); null if that master is not the current one (stale term).
     */
    public QueueRoute withInSync(long masterTerm, List<Integer> copies, Map<Integer, String> copyNodes) {
        if (masterTerm != term) return null;
        var m = new TreeMap<>(nodes);
        copyNodes.forEach((copy, node) -> {
            if (copy != master && copies.contains(copy) && node != null && !node.isEmpty()) m.put(copy, node);
        });
        return new QueueRoute(queueId, master, term, withMaster(copies), m);
    }

    /**
     * Slot {@code copy}'s data now lives on {@code node}; a replica slot that moved from another node has a new log, not
     * in sync. A slot's first start keeps its place: only a running replica can have joined the in-sync set, so its
     * master may have added it before this (late) report of where it started.
     */
    public QueueRoute withReplicaOn(int copy, String node) {
        var m = new TreeMap<>(nodes);
        m.put(copy, node);
        List<Integer> isr = new java.util.ArrayList<>(inSync);
        String before = nodes.getOrDefault(copy, "");
        if (copy != 0 && !before.isEmpty() && !node.equals(before)) isr.remove(Integer.valueOf(copy));
        return new QueueRoute(queueId, master, term, isr, m);
    }

    private static List<Integer> withMaster(List<Integer> copies) {
        java.util.TreeSet<Integer> s = new java.util.TreeSet<>(copies);
        s.add(0);
        return List.copyOf(s);
    }

    /** The node the master's data lives on, or "" for a queue that never started. */
    public String masterNode() {
        return nodes.getOrDefault(master, "");
    }
}
