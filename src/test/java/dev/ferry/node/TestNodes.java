package dev.ferry.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Configs for test nodes: the node's real configuration (FerryNode.loadConfig) with ports and a data directory. */
public final class TestNodes {
    private TestNodes() {}

    /**
     * @param akkaPort 25510-25549 (the node tests' range)
     * @param httpPort 18080-18099, or 0 for any free port
     * @param extra    more HOCON, highest precedence
     */
    public static Config config(String name, int akkaPort, int httpPort, Path dataDir, String extra) {
        Config overrides = ConfigFactory.parseString(String.join("\n",
                "ferry.node.name = \"" + name + "\"",
                "ferry.data-dir = \"" + dataDir.toString().replace("\\", "/") + "\"",
                "ferry.http.host = \"127.0.0.1\"",
                "ferry.http.port = " + httpPort,
                "ferry.cluster.host = \"127.0.0.1\"",
                "ferry.cluster.port = " + akkaPort,
                "ferry.allocation.disk.report-interval = 1s",
                "akka.loglevel = WARNING",
                "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "akka.coordinated-shutdown.default-phase-timeout = 3s",
                "akka.actor.testkit.typed.system-shutdown-default = 30s",
                "akka.actor.testkit.typed.throw-on-shutdown-timeout = off",
                // Small segments: tests write little, and every node of a test makes its own.
                "ferry.journal.segment-size = 16m",
                extra));
        return FerryNode.loadConfig(Optional.empty(), overrides);
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
