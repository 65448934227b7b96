package dev.ferry.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What this node knows about the cluster beyond membership, kept current from Distributed Data: every node's disk
 * usage (key {@code disk-usage}, published by each node for itself) and the dynamic cluster settings
 * (key {@code cluster-settings}, durable; allocation and recovery-throttle settings changed with PUT /cluster/settings).
 * Thread-safe for readers (HTTP, the allocation strategy); listeners ({@link #onSettings}) hear every change in order.
 */
public final class ClusterInfo {

    public static final akka.cluster.ddata.Key<LWWMap<String, DiskUsage>> DISK_KEY = LWWMapKey.create("disk-usage");
    public static final akka.cluster.ddata.Key<LWWMap<String, String>> SETTINGS_KEY = LWWMapKey.create("cluster-settings");

    private final Map<String, DiskUsage> disk = new ConcurrentHashMap<>();
    private volatile Map<String, String> dynamicSettings = Map.of();
    private final List<Consumer<Map<String, String>>> settingsListeners = new CopyOnWriteArrayList<>();

    public Map<String, DiskUsage> disk() {
        return Map.copyOf(disk);
    }

    public Map<String, String> dynamicSettings() {
        return dynamicSettings;
    }

    /** The dynamic settings as Distributed Data (or this node's own PUT) has them now; every listener hears them. */
    public synchronized void learnSettings(Map<String, String> s) {
        dynamicSettings = Map.copyOf(s);
        for (Consumer<Map<String, String>> l : settingsListeners) l.accept(dynamicSettings);
    }

    /**
     * Calls {@code listener} with the dynamic settings now and after every change, for parts that hold a setting
     * rather than read it per decision (the recovery throttle). The listener runs on the caller's thread: keep it short.
     */
    public synchronized void onSettings(Consumer<Map<String, String>> listener) {
        settingsListeners.add(listener);
        listener.accept(dynamicSettings);
    }

    private sealed interface Msg {}

    private record DiskChanged(Map<String, DiskUsage> all) implements Msg {}

    private record SettingsChanged(Map<String, String> all) implements Msg {}

    private record Tick() implements Msg {}

    private record Ignored() implements Msg {}

    /**
     * Asks a node's cluster-info actor to apply the dynamic settings its Distributed Data replica holds now, without
     * waiting for the next change notification (up to {@code notify-subscribers-interval} later), and to answer once
     * its allocation strategy and recovery throttle read them: what makes PUT /cluster/settings "acknowledged".
     */
    public record ApplySettings(akka.actor.typed.ActorRef<SettingsApplied> replyTo) implements Msg, CborSerializable {}

    /** The answer to {@link ApplySettings}: {@code node} applies the settings its replica held when asked. */
    public record SettingsApplied(String node) implements CborSerializable {}

    private record LocalSettings(Replicator.GetResponse<LWWMap<String, String>> rsp,
                                 akka.actor.typed.ActorRef<SettingsApplied> replyTo) implements Msg {}

    /** The path of every node's cluster-info actor (under /system). */
    public static final String ACTOR_NAME = "ferry-cluster-info";

    /**
     * Asks every Up member to apply the settings its replica holds now ({@link ApplySettings}); completes with
     * whether all of them confirmed within {@code timeout}. Call it after a write to all replicas.
     */
    public static java.util.concurrent.CompletionStage<Boolean> confirmAppliedEverywhere(akka.actor.typed.ActorSystem<?> system,
                                                                                      Duration timeout) {
        var classic = akka.actor.typed.javadsl.Adapter.toClassic(system);
        List<java.util.concurrent.CompletableFuture<Boolean>> answers = new java.util.ArrayList<>();
        for (akka.cluster.Member m : akka.cluster.typed.Cluster.get(system).state().getMembers()) {
            if (m.status() != akka.cluster.MemberStatus.up()) continue;
            answers.add(classic.actorSelection(m.address() + "/system/" + ACTOR_NAME).resolveOne(timeout)
                    .thenCompose(ref -> akka.actor.typed.javadsl.AskPattern.<Msg, SettingsApplied>ask(
                            akka.actor.typed.javadsl.Adapter.toTyped(ref), ApplySettings::new, timeout, system.scheduler()))
                    .handle((ok, failure) -> failure == null)
                    .toCompletableFuture());
        }
        return java.util.concurrent.CompletableFuture.allOf(answers.toArray(new java.util.concurrent.CompletableFuture[0]))
                .thenApply(v -> answers.stream().allMatch(java.util.concurrent.CompletableFuture::join));
    }

    @SuppressWarnings("unchecked")
    private static Msg changed(Replicator.SubscribeResponse<akka.cluster.ddata.ReplicatedData> rsp) {
        if (!(rsp instanceof Replicator.Changed<akka.cluster.ddata.ReplicatedData> c)) return new Ignored();
        if (c.key().id().equals(DISK_KEY.id())) return new DiskChanged(((LWWMap<String, DiskUsage>) c.dataValue()).getEntries());
        if (c.key().id().equals(SETTINGS_KEY.id())) return new SettingsChanged(((LWWMap<String, String>) c.dataValue()).getEntries());
        return new Ignored();
    }

    /** Publishes this node's disk usage every {@code interval} and keeps {@code info} current from every node's. */
    public static Behavior<?> publisher(ClusterInfo info, String nodeName, Path dataDir, Duration interval) {
        return Behaviors.<Msg>setup(ctx -> Behaviors.withTimers(timers -> {
            var replicator = DistributedData.get(ctx.getSystem()).replicator();
            var self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
            var disk = new ReplicatorMessageAdapter<Msg, LWWMap<String, DiskUsage>>(ctx, replicator, Duration.ofSeconds(5));
            // One subscription adapter per actor and message class (see RouteTable): dispatch on the key of the change.
            var changes = new ReplicatorMessageAdapter<Msg, akka.cluster.ddata.ReplicatedData>(ctx, replicator, Duration.ofSeconds(5));
            var settings = new ReplicatorMessageAdapter<Msg, LWWMap<String, String>>(ctx, replicator, Duration.ofSeconds(5));
            changes.subscribe(RouteTable.anyKey(DISK_KEY), ClusterInfo::changed);
            changes.subscribe(RouteTable.anyKey(SETTINGS_KEY), ClusterInfo::changed);
            timers.startTimerWithFixedDelay(new Tick(), Duration.ZERO, interval);
            return Behaviors.receive(Msg.class)
                    .onMessage(Tick.class, t -> {
                        DiskUsage usage = measure(nodeName, dataDir);
                        info.disk.put(nodeName, usage);
                        disk.askUpdate(r -> new Replicator.Update<>(DISK_KEY, LWWMap.create(), Replicator.writeLocal(), r,
                                m -> m.put(self, nodeName, usage)), rsp -> new Ignored());
                        return Behaviors.same();
                    })
                    .onMessage(DiskChanged.class, c -> {
                        info.disk.putAll(c.all());
                        return Behaviors.same();
                    })
                    .onMessage(SettingsChanged.class, c -> {
                        info.learnSettings(c.all());
                        return Behaviors.same();
                    })
                    .onMessage(ApplySettings.class, a -> {
                        settings.askGet(r -> new Replicator.Get<>(SETTINGS_KEY, Replicator.readLocal(), r),
                                rsp -> new LocalSettings(rsp, a.replyTo()));
                        return Behaviors.same();
                    })
                    .onMessage(LocalSettings.class, l -> {
                        // A change notification the replicator sent before this read is already ahead of it in the
                        // mailbox; one sent after carries this value or a newer one: nothing older can follow.
                        if (l.rsp() instanceof Replicator.GetSuccess<LWWMap<String, String>> ok) info.learnSettings(ok.get(SETTINGS_KEY).getEntries());
                        else if (l.rsp() instanceof Replicator.NotFound<LWWMap<String, String>>) info.learnSettings(Map.of());
                        else return Behaviors.same(); // not read: no confirmation, the caller reports "not acknowledged"
                        l.replyTo().tell(new SettingsApplied(nodeName));
                        return Behaviors.same();
                    })
                    .onMessage(Ignored.class, i -> Behaviors.same())
                    .build();
        }));
    }

    /** Measures the file system under {@code dataDir} and the apparent size of the directory's files (sparse ones in full). */
    public static DiskUsage measure(String nodeName, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            FileStore store = Files.getFileStore(dataDir);
            long data;
            try (Stream<Path> files = Files.walk(dataDir)) {
                data = files.mapToLong(p -> {
                    try {
                        return Files.isRegularFile(p) ? Files.size(p) : 0;
                    } catch (NoSuchFileException gone) {
                        return 0; // deleted by retention while we walked
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).sum();
            }
            return new DiskUsage(nodeName, store.getTotalSpace(), store.getUsableSpace(), data, System.currentTimeMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure disk usage of " + dataDir, e);
        }
    }
}
