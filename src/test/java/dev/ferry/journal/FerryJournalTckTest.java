package dev.ferry.journal;

import akka.persistence.CapabilityFlag;
import akka.persistence.japi.journal.JavaJournalSpec;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Akka's own journal TCK (akka-persistence-tck 2.6.21, {@code JavaJournalSpec}) against {@code ferry.journal}, with
 * rejection of non-serializable events and serialization checked. It is a ScalaTest suite, so it runs through the
 * JUnit 4 runner on the JUnit Platform's vintage engine: the only way to run Akka's TCK from a JUnit build.
 */
@RunWith(JUnitRunner.class)
public class FerryJournalTckTest extends JavaJournalSpec {

    public FerryJournalTckTest() {
        this("ferry.journal");
    }

    /** @param pluginId the Ferry plugin id under test: {@code ferry.journal} (async flush) or {@code ferry.journal-sync} */
    protected FerryJournalTckTest(String pluginId) {
        super(tckConfig(pluginId));
    }

    private static Config tckConfig(String pluginId) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("ferry-journal-tck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ConfigFactory.parseString("akka.persistence.journal.plugin = \"" + pluginId + "\"")
                .withFallback(JournalTestConfig.forDataDir(dataDir));
    }

    @Override
    public CapabilityFlag supportsRejectingNonSerializableObjects() {
        return CapabilityFlag.on();
    }

    @Override
    public CapabilityFlag supportsSerialization() {
        return CapabilityFlag.on();
    }

    @Override
    public void afterAll() {
        super.afterAll();
        try (Stream<Path> files = Files.walk(Path.of(config().getString("ferry.data-dir")))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
