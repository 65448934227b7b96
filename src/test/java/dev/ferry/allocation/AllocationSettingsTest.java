package dev.ferry.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AllocationSettingsTest {

    @Test
    void emptyMapGivesElasticsearchDefaults() {
        AllocationSettings s = AllocationSettings.parse(Map.of());
        assertEquals(AllocationEnable.ALL, s.enable());
        assertEquals(RebalanceEnable.ALL, s.rebalanceEnable());
        assertEquals(AllowRebalance.ALL_ACTIVE, s.allowRebalance());
        assertEquals(-1, s.totalQueuesPerNode());
        assertEquals(2, s.incomingRecoveries());
        assertEquals(2, s.outgoingRecoveries());
        assertEquals(4, s.initialMasterRecoveries());
        assertEquals(2, s.clusterConcurrentRebalance());
        assertEquals(1000, s.maxQueueCopiesPerNode());
        assertEquals(0.45, s.balanceQueue());
        assertEquals(0.55, s.balanceTopic());
        assertEquals(10.0, s.balanceWriteLoad());
        assertEquals(2e-11, s.balanceDiskUsage());
        assertEquals(1.0, s.balanceThreshold());
        assertTrue(s.desiredBalance());
        assertTrue(s.diskThresholdEnabled());
        assertEquals(60_000, s.rerouteIntervalMillis());
        assertEquals(30_000, s.reportIntervalMillis());
        assertFalse(s.sameQueueHost());
        assertEquals(List.of(), s.awarenessAttributes());
    }

    @Test
    void nodeConcurrentRecoveriesSetsIncomingAndOutgoingUnlessTheyAreSet() {
        AllocationSettings s = Clusters.settings("ferry.allocation.node-concurrent-recoveries", "5",
                "ferry.allocation.node-concurrent-outgoing-recoveries", "1");
        assertEquals(5, s.incomingRecoveries());
        assertEquals(1, s.outgoingRecoveries());
    }

    @Test
    void mastersAndNewMastersAreSynonymsOfPrimaries() {
        assertEquals(AllocationEnable.MASTERS, Clusters.settings("ferry.allocation.enable", "masters").enable());
        assertEquals(AllocationEnable.NEW_MASTERS, Clusters.settings("ferry.allocation.enable", "NEW_PRIMARIES").enable());
        assertEquals(AllowRebalance.MASTERS_ACTIVE, Clusters.settings("ferry.allocation.allow-rebalance", "indices_primaries_active").allowRebalance());
    }

    @Test
    void listsAcceptCommasAndHoconBrackets() {
        assertEquals(List.of("zone", "rack"), Clusters.settings("ferry.allocation.awareness.attributes", "[zone, \"rack\"]").awarenessAttributes());
        assertEquals(Map.of("zone", List.of("a", "b")), Clusters.settings("ferry.allocation.awareness.force.zone.values", "a,b").awarenessForce());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "ferry.allocation.enable|sometimes|must be one of [all, primaries (masters), new_primaries (new_masters), none], was [sometimes]",
            "ferry.allocation.rebalance.enable|new_primaries|must be one of [all, primaries (masters), replicas, none], was [new_primaries]",
            "ferry.allocation.total-queues-per-node|-2|must be >= -1, was [-2]",
            "ferry.allocation.node-concurrent-recoveries|two|must be an integer, was [two]",
            "ferry.allocation.balance.threshold|0.5|must be a finite number >= 1.0, was [0.5]",
            "ferry.allocation.same-queue.host|maybe|must be true or false, was [maybe]",
            "ferry.allocation.type|greedy|must be [desired_balance] or [balanced], was [greedy]",
            "ferry.allocation.disk.reroute-interval|soon|must be a duration such as [30s] or [1m], was [soon]",
            "ferry.allocation.awareness.force.zone.value|a|only [ferry.allocation.awareness.force.ATTR.values] is allowed",
            "ferry.allocation.require._ip|host-a|must be IP addresses or wildcard patterns, was [host-a]",
            "ferry.allocation.node-concurent-recoveries|2|unknown allocation setting [ferry.allocation.node-concurent-recoveries]"})
    void badValueIsRejectedNamingTheKey(String key, String value, String message) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Clusters.settings(key, value));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void keysOutsideAllocationAreIgnored() {
        AllocationSettings s = Clusters.settings("ferry.node.name", "n1", "ferry.journal.dir", "/data");
        assertEquals(AllocationSettings.DEFAULTS, s);
    }

    @Test
    void allZeroBalanceFactorsAreRejected() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Clusters.settings(
                "ferry.allocation.balance.queue", "0", "ferry.allocation.balance.topic", "0",
                "ferry.allocation.balance.write-load", "0", "ferry.allocation.balance.disk-usage", "0"));
        assertTrue(e.getMessage().contains("must not all be 0"), e.getMessage());
    }
}
