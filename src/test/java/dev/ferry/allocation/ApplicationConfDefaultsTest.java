package dev.ferry.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

/** The allocation section of application.conf declares every setting with the core's own default. */
class ApplicationConfDefaultsTest {

    /** Flattens the ferry config the way the node passes it to the core: lists joined with commas. */
    private static Map<String, String> flatten(Config ferry) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : ferry.entrySet()) {
            Object v = e.getValue().unwrapped();
            out.put("ferry." + e.getKey(), v instanceof List<?> list ? String.join(",", list.stream().map(Object::toString).toList()) : String.valueOf(v));
        }
        return out;
    }

    private static Map<String, String> conf() {
        return flatten(ConfigFactory.parseFile(new File("src/main/resources/application.conf")).resolve().getConfig("ferry"));
    }

    @Test
    void theDeclaredDefaultsAreTheCoresDefaults() {
        assertEquals(AllocationSettings.DEFAULTS, AllocationSettings.parse(conf()));
    }

    @Test
    void everyAllocationSettingIsDeclared() {
        Map<String, String> conf = conf();
        for (String key : List.of(AllocationSettings.ENABLE, AllocationSettings.REBALANCE_ENABLE, AllocationSettings.ALLOW_REBALANCE,
                AllocationSettings.SAME_QUEUE_HOST, AllocationSettings.AWARENESS_ATTRIBUTES, AllocationSettings.DISK_THRESHOLD_ENABLED,
                DiskWatermarks.LOW, DiskWatermarks.HIGH, DiskWatermarks.FLOOD, DiskWatermarks.LOW_HEADROOM, DiskWatermarks.HIGH_HEADROOM,
                DiskWatermarks.FLOOD_HEADROOM, AllocationSettings.REROUTE_INTERVAL, AllocationSettings.REPORT_INTERVAL,
                AllocationSettings.TOTAL_QUEUES_PER_NODE, AllocationSettings.NODE_CONCURRENT_RECOVERIES, AllocationSettings.NODE_CONCURRENT_INCOMING,
                AllocationSettings.NODE_CONCURRENT_OUTGOING, AllocationSettings.NODE_INITIAL_MASTER_RECOVERIES,
                AllocationSettings.CLUSTER_CONCURRENT_REBALANCE, AllocationSettings.MAX_QUEUE_COPIES_PER_NODE, AllocationSettings.BALANCE_QUEUE,
                AllocationSettings.BALANCE_TOPIC, AllocationSettings.BALANCE_WRITE_LOAD, AllocationSettings.BALANCE_DISK_USAGE,
                AllocationSettings.BALANCE_THRESHOLD, AllocationSettings.TYPE, AllocationSettings.UNDESIRED_THRESHOLD)) {
            assertTrue(conf.containsKey(key), key + " is missing from application.conf");
        }
    }

    @Test
    void overridingNodeConcurrentRecoveriesCarriesIntoIncomingAndOutgoing() {
        Config user = ConfigFactory.parseString("ferry.allocation.node-concurrent-recoveries = 7");
        Config merged = user.withFallback(ConfigFactory.parseFile(new File("src/main/resources/application.conf"))).resolve();
        AllocationSettings s = AllocationSettings.parse(flatten(merged.getConfig("ferry")));
        assertEquals(7, s.incomingRecoveries());
        assertEquals(7, s.outgoingRecoveries());
    }

    @Test
    void filtersWrittenAsFullPathsReachTheCore() {
        Config user = ConfigFactory.parseString("ferry.allocation.include.zone = \"a,b\"\nferry.allocation.awareness.attributes = [zone, rack]");
        Config merged = user.withFallback(ConfigFactory.parseFile(new File("src/main/resources/application.conf"))).resolve();
        AllocationSettings s = AllocationSettings.parse(flatten(merged.getConfig("ferry")));
        assertEquals(Map.of("zone", List.of("a", "b")), s.filters().include());
        assertEquals(List.of("zone", "rack"), s.awarenessAttributes());
    }
}
