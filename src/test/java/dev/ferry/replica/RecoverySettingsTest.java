package dev.ferry.replica;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoverySettingsTest {

    static final String RATE = RecoverySettings.MAX_BYTES_PER_SEC;
    static final String CHUNK = RecoverySettings.CHUNK_SIZE;
    static final ReplicationSettings.Recovery CONFIGURED = new ReplicationSettings.Recovery(40L << 20, 512 << 10, 4096, Duration.ofSeconds(1));

    @Test
    void maxBytesPerSecAcceptsElasticsearchByteSizesInPowersOf1024() {
        assertEquals(40L << 20, RecoverySettings.maxBytesPerSec("40mb"));
        assertEquals(512L << 10, RecoverySettings.maxBytesPerSec("512kb"));
        assertEquals(1L << 30, RecoverySettings.maxBytesPerSec("1gb"));
        assertEquals(100, RecoverySettings.maxBytesPerSec("100b"));
    }

    @Test
    void maxBytesPerSecAcceptsHoconByteSizesAsTheConfigFileDoes() {
        assertEquals(512L << 10, RecoverySettings.maxBytesPerSec("512k"));
        assertEquals(40L << 20, RecoverySettings.maxBytesPerSec("40m"));
        assertEquals(40L << 20, RecoverySettings.maxBytesPerSec("40MiB"));
        assertEquals(40_000_000L, RecoverySettings.maxBytesPerSec("40MB"), "HOCON's MB is a power of 1000");
        assertEquals(1_048_576L, RecoverySettings.maxBytesPerSec("1048576"));
        assertEquals(1_048_576L, RecoverySettings.maxBytesPerSec(1_048_576));
    }

    @Test
    void zeroAndMinusOneMeanUnthrottled() {
        assertEquals(0, RecoverySettings.maxBytesPerSec("0"));
        assertEquals(-1, RecoverySettings.maxBytesPerSec("-1"));
        assertEquals(-1, RecoverySettings.maxBytesPerSec(-1));
    }

    @Test
    void aNegativeRateOtherThanMinusOneIsRefusedNamingTheKeyAndTheAcceptedFormat() {
        var e = assertThrows(RecoverySettings.InvalidValue.class, () -> RecoverySettings.maxBytesPerSec("-5"));
        assertEquals(RATE, e.key());
        assertTrue(e.getMessage().contains("[" + RATE + "]") && e.getMessage().contains("40mb") && e.getMessage().contains("-1")
                && e.getMessage().contains("[-5]"), e.getMessage());
        assertThrows(RecoverySettings.InvalidValue.class, () -> RecoverySettings.maxBytesPerSec("-1mb"));
    }

    @Test
    void aRateThatIsNotAByteSizeIsRefused() {
        for (Object bad : new Object[]{"fast", "", "40 parsecs", "mb", Boolean.TRUE, "true", "99999999999pb"})
            assertEquals(RATE, assertThrows(RecoverySettings.InvalidValue.class, () -> RecoverySettings.maxBytesPerSec(bad),
                    String.valueOf(bad)).key());
    }

    @Test
    void chunkSizeMustBeAboveZeroAndAtMostTheGivenMaximum() {
        assertEquals(64 << 10, RecoverySettings.chunkSize("64kb", 1 << 20));
        assertEquals(1 << 20, RecoverySettings.chunkSize("1m", 1 << 20));
        for (Object bad : new Object[]{"0", "-1", "2m", "big", Boolean.FALSE}) {
            var e = assertThrows(RecoverySettings.InvalidValue.class, () -> RecoverySettings.chunkSize(bad, 1 << 20), String.valueOf(bad));
            assertEquals(CHUNK, e.key());
            assertTrue(e.getMessage().contains("at most 1048576"), e.getMessage());
        }
    }

    @Test
    void theLargestChunkIsHalfOfArterysMaximumFrameSize() {
        assertEquals(8L << 20, RecoverySettings.maxChunkSize(ConfigFactory.parseString("akka.remote.artery.advanced.maximum-frame-size = 16 MiB")));
    }

    @Test
    void dynamicValuesOverrideOnlyTheKeysTheySet() {
        var rateOnly = RecoverySettings.effective(CONFIGURED, Map.of(RATE, "8mb", "ferry.allocation.enable", "none"), 8 << 20);
        assertEquals(new ReplicationSettings.Recovery(8L << 20, 512 << 10, 4096, Duration.ofSeconds(1)), rateOnly);
        var chunkOnly = RecoverySettings.effective(CONFIGURED, Map.of(CHUNK, "1m"), 8 << 20);
        assertEquals(new ReplicationSettings.Recovery(40L << 20, 1 << 20, 4096, Duration.ofSeconds(1)), chunkOnly);
    }

    @Test
    void withoutDynamicValuesTheConfiguredSettingsAreInEffect() {
        assertEquals(CONFIGURED, RecoverySettings.effective(CONFIGURED, Map.of(), 8 << 20));
    }

    @Test
    void theConfigFileAcceptsTheSameValuesAsTheApi() {
        var c = ReplicationSettings.fromConfig(ConfigFactory.parseString("""
                ferry.replication.recovery { max-bytes-per-sec = 40mb, chunk-size = 64kb }""").withFallback(ConfigFactory.load()));
        assertEquals(40L << 20, c.recovery().maxBytesPerSec());
        assertEquals(64 << 10, c.recovery().chunkSize());
        var unthrottled = ReplicationSettings.fromConfig(ConfigFactory.parseString("ferry.replication.recovery.max-bytes-per-sec = -1")
                .withFallback(ConfigFactory.load()));
        assertEquals(-1, unthrottled.recovery().maxBytesPerSec());
    }

    @Test
    void theConfigFileRefusesANegativeRateOtherThanMinusOne() {
        var e = assertThrows(RecoverySettings.InvalidValue.class, () -> ReplicationSettings.fromConfig(
                ConfigFactory.parseString("ferry.replication.recovery.max-bytes-per-sec = -5").withFallback(ConfigFactory.load())));
        assertEquals(RATE, e.key());
    }
}
