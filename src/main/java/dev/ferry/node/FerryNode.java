package dev.ferry.node;

import akka.Done;
import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.ferry.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One Ferry node: an Akka Cluster member running the Broker, Queue and Replica shard regions and the HTTP API.
 *
 * <pre>
 * Config config = FerryNode.loadConfig(Optional.of(Path.of("node.conf")));
 * FerryNode node = FerryNode.start(config);     // returns once HTTP is bound
 * node.whenTerminated().toCompletableFuture().join();
 * </pre>
 */
public final class FerryNode {

    private static final Logger log = LoggerFactory.getLogger(FerryNode.class);

    /** The ActorSystem name; every node of a cluster must use the same. */
    public static final String SYSTEM_NAME = "ferry";

    private final ActorSystem<Void> system;
    private final FerrySettings settings;
    private final Services services;
    private final ServerBinding binding;

    private FerryNode(ActorSystem<Void> system, FerrySettings settings, Services services, ServerBinding binding) {
        this.system = system;
        this.settings = settings;
        this.services = services;
        this.binding = binding;
    }

    /**
     * The node's configuration, highest precedence first: system properties, {@code configFile}, the classpath
     * application.conf (every ferry.* default), ferry-akka.conf (Akka wiring derived from ferry.*), reference.conf
     * files; resolved.
     */
    public static Config loadConfig(Optional<Path> configFile) {
        return loadConfig(configFile, ConfigFactory.empty());
    }

    /** Like {@link #loadConfig(Optional)} with {@code overrides} above everything (before substitutions are resolved). */
    public static Config loadConfig(Optional<Path> configFile, Config overrides) {
        ConfigParseOptions strict = ConfigParseOptions.defaults().setAllowMissing(false);
        Config file = configFile.map(p -> {
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("config file " + p + " does not exist");
            return ConfigFactory.parseFile(p.toFile(), strict);
        }).orElse(ConfigFactory.empty());
        ClassLoader cl = FerryNode.class.getClassLoader();
        return overrides
                .withFallback(ConfigFactory.systemProperties())
                .withFallback(file)
                .withFallback(ConfigFactory.parseResources(cl, "application.conf"))
                .withFallback(ConfigFactory.parseResources(cl, "ferry-akka.conf", strict))
                .withFallback(ConfigFactory.defaultReference(cl))
                .resolve();
    }

    /** Starts a node and joins its cluster (seed nodes, or itself); returns once the HTTP server is bound. */
    public static FerryNode start(Config config) {
        FerrySettings settings = FerrySettings.from(config);
        try {
            Files.createDirectories(settings.dataDir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
        }
        Config withRoles = config.withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(settings.roles()));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, withRoles);
        try {
            join(system, settings);
            Services services = Services.start(system, settings);
            ServerBinding binding = HttpServer.bind(system, settings, services)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            log.info("Ferry node {} started: HTTP on {}, cluster {}, data in {}", settings.node().name(), binding.localAddress(),
                    Cluster.get(system).selfMember().address(), settings.dataDir().toAbsolutePath());
            Path journalDir = dev.ferry.journal.FerryJournalSettings.fromConfig(config.getConfig("ferry.journal")).dir();
            JournalMetrics.watch(journalDir);
            system.getWhenTerminated().thenRun(() -> JournalMetrics.forget(journalDir));
            return new FerryNode(system, settings, services, binding);
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("Ferry node failed to start: " + e.getMessage(), e);
        }
    }

    private static void join(ActorSystem<Void> system, FerrySettings settings) {
        Cluster cluster = Cluster.get(system);
        List<String> seeds = settings.cluster().seedNodes();
        if (seeds.isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
            List<Address> addresses = seeds.stream().map(FerryNode::seedAddress).toList();
            cluster.manager().tell(new JoinSeedNodes(addresses));
        }
    }

    /** "host:port" or a full "akka://ferry@host:port". */
    static Address seedAddress(String seed) {
        String uri = seed.contains("://") ? seed : "akka://" + SYSTEM_NAME + "@" + seed;
        return AddressFromURIString.parse(uri);
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public FerrySettings settings() {
        return settings;
    }

    /** The bound HTTP port (useful with ferry.http.port = 0). */
    public int httpPort() {
        return binding.localAddress().getPort();
    }

    public Services services() {
        return services;
    }

    public CompletionStage<Done> whenTerminated() {
        return system.getWhenTerminated();
    }

    /** Leaves the cluster gracefully (hands its shards off, unbinds HTTP) and waits until the node has stopped. */
    public void shutdown() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("node {} did not stop within 60 s: {}", settings.node().name(), e.toString());
        }
    }

    /** Runs a node: {@code -Dconfig.file=node.conf} names its HOCON file; without it, the embedded one-node default. */
    public static void main(String[] args) {
        String file = System.getProperty("config.file");
        Config config = loadConfig(Optional.ofNullable(file).map(Path::of));
        FerryNode node = start(config);
        node.whenTerminated().toCompletableFuture().join();
        System.exit(0);
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
