package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of everything allocation decides on: the settings, the nodes, the topics and every copy of
 * every queue (unassigned ones included). Built with {@link #builder(AllocationSettings)}; the builder fills in
 * copies that were not given as unassigned, drops copies above a topic's (effective) replica count into
 * {@link #surplusCopies()}, and rejects inconsistent input.
 *
 * <p>Thread-safe (immutable).
 */
public final class ClusterView {
    private final AllocationSettings settings;
    private final Map<String, Node> nodes;
    private final Map<String, Topic> topics;
    private final Map<CopyId, Copy> copies;
    private final List<Copy> ordered;
    private final List<Copy> surplus;

    private ClusterView(AllocationSettings settings, Map<String, Node> nodes, Map<String, Topic> topics, Map<CopyId, Copy> copies,
                        List<Copy> ordered, List<Copy> surplus) {
        this.settings = settings;
        this.nodes = Collections.unmodifiableMap(nodes);
        this.topics = Collections.unmodifiableMap(topics);
        this.copies = copies;
        this.ordered = Collections.unmodifiableList(ordered);
        this.surplus = List.copyOf(surplus);
    }

    /** @return a builder for a view with these settings */
    public static Builder builder(AllocationSettings settings) {
        return new Builder(settings);
    }

    /** @return a builder holding this view's content, to derive a changed view */
    public Builder toBuilder() {
        Builder b = new Builder(settings);
        nodes.values().forEach(b::node);
        topics.values().forEach(b::topic);
        ordered.forEach(b::copy);
        surplus.forEach(b::copy);
        return b;
    }

    /** @return this view with other settings (the replica counts of auto-expanding topics may change) */
    public ClusterView withSettings(AllocationSettings newSettings) {
        Builder b = new Builder(newSettings);
        nodes.values().forEach(b::node);
        topics.values().forEach(b::topic);
        ordered.forEach(b::copy);
        surplus.forEach(b::copy);
        return b.build();
    }

    /**
     * @return this view with its copies replaced by {@code sameOrder}: the same copies (same ids, same order), in new
     * states, as a {@link Routing} of this view produces; no revalidation is needed
     */
    ClusterView withCopiesInPlace(List<Copy> sameOrder) {
        Map<CopyId, Copy> byId = new HashMap<>(sameOrder.size() * 2);
        for (Copy c : sameOrder) {
            byId.put(c.id(), c);
        }
        return new ClusterView(settings, new LinkedHashMap<>(nodes), new LinkedHashMap<>(topics), byId, new ArrayList<>(sameOrder), surplus);
    }

    /** @return the cluster allocation settings */
    public AllocationSettings settings() {
        return settings;
    }

    /** @return the nodes by name, in name order */
    public Map<String, Node> nodes() {
        return nodes;
    }

    /** @return the topics by name, in name order */
    public Map<String, Topic> topics() {
        return topics;
    }

    /** @return every copy of every queue, in id order */
    public List<Copy> copies() {
        return ordered;
    }

    /** @return the copy, if its topic exists and the copy number is within the replica count */
    public Optional<Copy> copy(CopyId id) {
        return Optional.ofNullable(copies.get(id));
    }

    /** @return copies that were given but lie above their topic's replica count (replicas lowered, auto-expand shrank); the shell stops them */
    public List<Copy> surplusCopies() {
        return surplus;
    }

    /**
     * @return the number of copies of each queue of {@code topic} on this cluster (replicas + 1, auto-expand applied:
     * counting only the nodes the topic's filters and tier preference allow)
     */
    public int copiesPerQueue(Topic topic) {
        return topic.settings().effectiveReplicas(nodes.values(), settings.filters()) + 1;
    }

    /** Collects nodes, topics and copies and validates them into a {@link ClusterView}. Not thread-safe. */
    public static final class Builder {
        private final AllocationSettings settings;
        private final Map<String, Node> nodes = new TreeMap<>();
        private final Map<String, Topic> topics = new TreeMap<>();
        private final Map<CopyId, Copy> copies = new HashMap<>();

        private Builder(AllocationSettings settings) {
            this.settings = settings;
        }

        /** Adds or replaces a node (by name). */
        public Builder node(Node node) {
            nodes.put(node.name(), node);
            return this;
        }

        /** Adds or replaces a topic (by name). */
        public Builder topic(Topic topic) {
            topics.put(topic.name(), topic);
            return this;
        }

        /** Adds or replaces a copy (by id). */
        public Builder copy(Copy copy) {
            copies.put(copy.id(), copy);
            return this;
        }

        /** Removes a node; copies naming it must be changed or removed before {@link #build()}. */
        public Builder removeNode(String name) {
            nodes.remove(name);
            return this;
        }

        /** Removes a topic and all its copies. */
        public Builder removeTopic(String name) {
            topics.remove(name);
            copies.keySet().removeIf(id -> id.topic().equals(name));
            return this;
        }

        /** @return the copies given so far, by id */
        public Map<CopyId, Copy> copies() {
            return Collections.unmodifiableMap(copies);
        }

        /** Adds or replaces copies. */
        public Builder copies(Collection<Copy> all) {
            all.forEach(this::copy);
            return this;
        }

        /**
         * @return the view
         * @throws IllegalArgumentException when a copy names an unknown topic or node, a queue out of range,
         *                                  or a master that is not in sync
         */
        public ClusterView build() {
            Map<String, Integer> perQueue = new HashMap<>();
            for (Topic t : topics.values()) {
                perQueue.put(t.name(), t.settings().effectiveReplicas(nodes.values(), settings.filters()) + 1);
            }
            List<Copy> surplus = new ArrayList<>();
            for (Copy c : copies.values()) {
                CopyId id = c.id();
                Topic t = topics.get(id.topic());
                if (t == null) {
                    throw new IllegalArgumentException("copy " + id + " names unknown topic [" + id.topic() + "]");
                }
                if (id.queue() >= t.queues()) {
                    throw new IllegalArgumentException("copy " + id + ": topic [" + t.name() + "] has " + t.queues() + " queues (0.."
                            + (t.queues() - 1) + ")");
                }
                if (c.node() != null && !nodes.containsKey(c.node())) {
                    throw new IllegalArgumentException("copy " + id + " is on unknown node [" + c.node() + "]");
                }
                if (c.relocatingTo() != null && !nodes.containsKey(c.relocatingTo())) {
                    throw new IllegalArgumentException("copy " + id + " relocates to unknown node [" + c.relocatingTo() + "]");
                }
                if (id.copy() >= perQueue.get(t.name())) {
                    surplus.add(c);
                }
            }
            surplus.sort(java.util.Comparator.comparing(Copy::id));
            // Walk topics (name order), queues and copy numbers: id order in O(n), with absent copies filled in.
            Map<CopyId, Copy> byId = new HashMap<>(copies.size() * 2);
            List<Copy> ordered = new ArrayList<>(copies.size());
            for (Topic t : topics.values()) {
                int n = perQueue.get(t.name());
                for (int q = 0; q < t.queues(); q++) {
                    boolean masterGiven = copies.containsKey(CopyId.master(t.name(), q));
                    for (int c = 0; c < n; c++) {
                        CopyId id = new CopyId(t.name(), q, c);
                        Copy copy = copies.get(id);
                        if (copy == null) {
                            UnassignedInfo.Reason reason = c == 0 || !masterGiven ? UnassignedInfo.Reason.TOPIC_CREATED
                                    : UnassignedInfo.Reason.REPLICA_ADDED;
                            copy = Copy.unassigned(id, UnassignedInfo.of(reason), 0);
                        }
                        byId.put(id, copy);
                        ordered.add(copy);
                    }
                }
            }
            return new ClusterView(settings, new LinkedHashMap<>(nodes), new LinkedHashMap<>(topics), byId, ordered, surplus);
        }
    }
}
