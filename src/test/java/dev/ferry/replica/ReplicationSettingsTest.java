package dev.ferry.replica;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How often a master probes a replica that does not answer (from probe-interval, doubling, up to the cap), and how large
 * a shipment may be.
 */
class ReplicationSettingsTest {

    private final ReplicationSettings settings = ReplicationSettings.fromConfig(ConfigFactory.parseString(
            "ferry.replication.probe-interval = 500ms\nferry.replication.silent-probe-max-interval = 8s").withFallback(ConfigFactory.load()));

    @Test
    void aReplicaThatAnsweredIsProbedEveryProbeInterval() {
        assertEquals(500, settings.probeDelayMillis(0));
    }

    @Test
    void eachUnansweredProbeDoublesTheWaitUpToTheCap() {
        assertEquals(1_000, settings.probeDelayMillis(1));
        assertEquals(4_000, settings.probeDelayMillis(3));
        assertEquals(8_000, settings.probeDelayMillis(4));
        assertEquals(8_000, settings.probeDelayMillis(40));
        assertEquals(8_000, settings.probeDelayMillis(Integer.MAX_VALUE));
    }

    @Test
    void theNodesDefaultsBackOffFromHalfASecondToEightSeconds() {
        ReplicationSettings defaults = ReplicationSettings.fromConfig(ConfigFactory.load());
        assertEquals(500, defaults.probeDelayMillis(0));
        assertEquals(8_000, defaults.probeDelayMillis(100));
    }

    @Test
    void aShipmentIsNeverMoreThanHalfOfArterysFrame() {
        ReplicationSettings small = ReplicationSettings.fromConfig(ConfigFactory.parseString(
                "ferry.replication.max-shipment-bytes = 64m\nakka.remote.artery.advanced.maximum-frame-size = 16m").withFallback(ConfigFactory.load()));
        assertEquals(8L << 20, small.maxShipmentBytes());
        ReplicationSettings defaults = ReplicationSettings.fromConfig(ConfigFactory.parseString(
                "akka.remote.artery.advanced.maximum-frame-size = 16m").withFallback(ConfigFactory.load()));
        assertEquals(4L << 20, defaults.maxShipmentBytes());
    }
}
