package dev.ferry.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.ReplicatedData;
import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import dev.ferry.broker.Broker;
import dev.ferry.broker.TopicState;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of every topic's routing state, read from the Brokers' Distributed Data keys and kept current by
 * subscription, so the HTTP layer routes a send without asking anyone. Thread-safe for readers (HTTP threads, the
 * allocation strategy); written only by its subscriber actor and by {@link #learn} (answers straight from a Broker).
 */
public final class RouteTable {

    private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();

    /** The live (not deleted) topic, if this node knows it. */
    public Optional<TopicState> get(String topic) {
        TopicState s = topics.get(topic);
        return s == null || s.deleted() ? Optional.empty() : Optional.of(s);
    }

    /** The topic's newest state this node knows, a tombstone if it was deleted. */
    public Optional<TopicState> latest(String topic) {
        return Optional.ofNullable(topics.get(topic));
    }

    /** Every known topic state, tombstones included (allocation reads where deleted topics' data was). */
    public Collection<TopicState> all() {
        return topics.values();
    }

    public List<TopicState> live() {
        return topics.values().stream().filter(TopicState::live).sorted(java.util.Comparator.comparing(TopicState::name)).toList();
    }

    /** Keeps {@code s} unless a newer version of the same topic is already known. */
    public void learn(TopicState s) {
        topics.merge(s.name(), s, (old, neu) -> newer(neu, old) ? neu : old);
    }

    private static boolean newer(TopicState a, TopicState b) {
        if (a.incarnation() != b.incarnation()) return a.incarnation() > b.incarnation();
        if (a.deleted() != b.deleted()) return a.deleted();
        return a.version() >= b.version();
    }

    // ---------------------------------------------------------------- subscriber

    private sealed interface Msg {}

    private record IndexChanged(Set<String> names) implements Msg {}

    private record TopicChanged(TopicState state) implements Msg {}

    private record Ignored() implements Msg {}

    @SuppressWarnings("unchecked")
    static Key<ReplicatedData> anyKey(Key<? extends ReplicatedData> key) {
        return (Key<ReplicatedData>) (Key<?>) key;
    }

    @SuppressWarnings("unchecked")
    private static Msg changed(Replicator.SubscribeResponse<ReplicatedData> rsp) {
        if (!(rsp instanceof Replicator.Changed<ReplicatedData> c)) return new Ignored();
        if (c.dataValue() instanceof ORSet<?> set) return new IndexChanged((Set<String>) set.getElements());
        if (c.dataValue() instanceof LWWRegister<?> reg && reg.getValue() instanceof TopicState state) return new TopicChanged(state);
        return new Ignored();
    }

    /** The actor that keeps {@code table} current: subscribes to the topic index and to every topic key it lists. */
    public static Behavior<?> subscriber(RouteTable table) {
        return Behaviors.<Msg>setup(ctx -> {
            var replicator = DistributedData.get(ctx.getSystem()).replicator();
            // One adapter for every key: Akka keeps one subscription-response adapter per actor and message class, so
            // the mapping must not depend on which key it was registered for — it reads the key from the message.
            var adapter = new ReplicatorMessageAdapter<Msg, ReplicatedData>(ctx, replicator, Duration.ofSeconds(5));
            Set<String> subscribed = new HashSet<>();
            adapter.subscribe(anyKey(Broker.TOPICS_KEY), RouteTable::changed);
            return Behaviors.receive(Msg.class)
                    .onMessage(IndexChanged.class, c -> {
                        for (String name : c.names()) {
                            if (!subscribed.add(name)) continue;
                            adapter.subscribe(anyKey(Broker.key(name)), RouteTable::changed);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(TopicChanged.class, c -> {
                        table.learn(c.state());
                        return Behaviors.same();
                    })
                    .onMessage(Ignored.class, i -> Behaviors.same())
                    .build();
        });
    }
}
