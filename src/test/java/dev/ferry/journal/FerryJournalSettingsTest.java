package dev.ferry.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ferry.store.FlushMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ferry.journal and ferry.journal-sync as application.conf declares them. */
class FerryJournalSettingsTest {

    private static final Config CONFIG = JournalTestConfig.forDataDir(Path.of("/var/ferry"));

    @Test
    void theDefaultsAreRocketMqsAndTheDirIsUnderTheDataDir() {
        FerryJournalSettings settings = FerryJournalSettings.fromConfig(ConfigFactory.parseString("segment-size = 1g")
                .withFallback(CONFIG.getConfig("ferry.journal")));
        assertEquals(Path.of("/var/ferry/journal"), settings.dir());
        assertEquals(FlushMode.ASYNC, settings.flush());
        assertEquals(1L << 30, settings.store().segmentSize());
        assertEquals(Duration.ofMillis(500), settings.store().flushInterval());
        assertEquals(4, settings.store().flushLeastPages());
        assertEquals(Duration.ofHours(72), settings.store().fileReservedTime());
        assertEquals("04", settings.store().deleteWhen());
        assertEquals(75, settings.store().diskMaxUsedSpaceRatio());
    }

    @Test
    void theSyncPluginIdIsTheSameStoreWithSyncFlush() {
        FerryJournalSettings async = FerryJournalSettings.fromConfig(CONFIG.getConfig("ferry.journal"));
        FerryJournalSettings sync = FerryJournalSettings.fromConfig(CONFIG.getConfig("ferry.journal-sync"));
        assertEquals(FlushMode.SYNC, sync.flush());
        assertEquals(async.dir(), sync.dir());
        assertEquals(async.store().segmentSize(), sync.store().segmentSize());
    }

    @Test
    void anUnknownFlushModeIsRefusedWithTheChoices() {
        Config bad = ConfigFactory.parseString("flush = sometimes").withFallback(CONFIG.getConfig("ferry.journal"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FerryJournalSettings.fromConfig(bad));
        assertEquals("flush = \"sometimes\" is not a flush mode; use sync (confirm after the force) or async (confirm once readable)",
                e.getMessage());
    }
}
