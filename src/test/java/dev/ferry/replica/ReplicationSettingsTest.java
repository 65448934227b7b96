package dev.ferry.replica;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How often a master probes a replica that does not answer: from probe-interval, doubling, up to the cap. */
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
}
