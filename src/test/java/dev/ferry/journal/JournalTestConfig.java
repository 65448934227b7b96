package dev.ferry.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;

/** The configuration of a test node whose data directory is {@code dataDir}: Ferry's journal and snapshot store. */
final class JournalTestConfig {

    private JournalTestConfig() {
    }

    static Config forDataDir(Path dataDir) {
        return ConfigFactory.parseString("""
                        ferry.data-dir = "%s"
                        # small segments: the store preallocates each one
                        ferry.journal.segment-size = 4m
                        akka.persistence.journal.plugin = "ferry.journal"
                        akka.persistence.snapshot-store.plugin = "ferry.snapshot-store"
                        akka.actor.allow-java-serialization = off
                        akka.actor.serialization-bindings {
                          "dev.ferry.journal.Notebook$Notes" = jackson-json
                          "dev.ferry.journal.Notebook$Tagged" = jackson-json
                        }
                        """.formatted(dataDir.toAbsolutePath().toString().replace("\\", "/")))
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }
}
