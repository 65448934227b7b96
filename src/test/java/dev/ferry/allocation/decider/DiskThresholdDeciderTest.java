package dev.ferry.allocation.decider;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.ClusterView;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.DiskThresholdMonitor;
import dev.ferry.allocation.RoundResult;
import dev.ferry.allocation.Topic;
import dev.ferry.allocation.UnassignedInfo;

class DiskThresholdDeciderTest {

    @Test
    void noCopyGoesToANodeOverTheLowWatermark() {
        ClusterView view = cluster().node(disk(node("n1"), 100 * GB, 10 * GB)).node(disk(node("n2"), 100 * GB, 86 * GB))
                .topic(topic("t", 1, 1)).copy(Copy.started(id("t", 0, 0), "n1", GB)).build();
        ClusterView after = settle(view);
        assertEquals(1, unassigned(after).size());
        Decision d = canAllocate(after, id("t", 0, 1), "n2");
        assertEquals("disk_threshold", d.decider());
        assertEquals("the node is above the low watermark cluster setting [ferry.allocation.disk.watermark.low=85%], having less than the "
                + "minimum required [15.0gb] free space, actual free: [14.0gb], actual used: [86.0%]", d.explanation());
    }

    @Test
    void aBrandNewMasterMayGoAboveTheLowWatermarkWhileUnderTheHigh() {
        ClusterView view = settle(cluster().node(disk(node("n1"), 100 * GB, 87 * GB)).topic(topic("t", 1, 0)).build());
        assertEquals("n1", nodeOf(view, id("t", 0, 0)));
    }

    @Test
    void aBrandNewMasterStaysUnassignedAboveTheHighWatermark() {
        ClusterView view = settle(cluster().node(disk(node("n1"), 100 * GB, 91 * GB)).topic(topic("t", 1, 0)).build());
        assertEquals(1, unassigned(view).size());
        assertTrue(canAllocate(view, id("t", 0, 0), "n1").explanation().startsWith("the node is above the high watermark"));
    }

    @Test
    void aCopyThatWouldPushTheNodeOverTheHighWatermarkIsRefused() {
        ClusterView view = cluster().node(disk(node("n1"), 100 * GB, 10 * GB)).node(disk(node("n2"), 100 * GB, 80 * GB))
                .topic(topic("t", 1, 1)).copy(Copy.started(id("t", 0, 0), "n1", 15 * GB)).build();
        Decision d = canAllocate(view, id("t", 0, 1), "n2");
        assertTrue(d.explanation().startsWith("allocating the copy to this node will bring the node above the high watermark cluster setting "
                + "[ferry.allocation.disk.watermark.high=90%]"), d.explanation());
    }

    @Test
    void copiesStillRecoveringCountAgainstFreeSpace() {
        ClusterView view = cluster().node(disk(node("n1"), 100 * GB, 10 * GB)).node(disk(node("n2"), 100 * GB, 71 * GB))
                .topic(topic("t", 2, 1))
                .copy(Copy.started(id("t", 0, 0), "n1", 10 * GB)).copy(Copy.started(id("t", 1, 0), "n1", 10 * GB))
                .copy(Copy.initializing(id("t", 0, 1), "n2", 10 * GB)).build();
        // 29gb free minus 10gb still arriving = 19gb; another 10gb copy would leave 9gb, under the high watermark's 10gb
        Decision d = canAllocate(view, id("t", 1, 1), "n2");
        assertEquals(Decision.Type.NO, d.type());
        assertEquals("disk_threshold", d.decider());
        ClusterView arrived = view.toBuilder().copy(Copy.unassigned(id("t", 0, 1), UnassignedInfo.of(UnassignedInfo.Reason.REPLICA_ADDED), 0)).build();
        assertEquals(Decision.Type.YES, decision(arrived, id("t", 1, 1), "n2", "disk_threshold").type());
    }

    @Test
    void copiesLeaveANodeOverTheHighWatermark() {
        ClusterView placed = settle(cluster("ferry.allocation.allow-rebalance", "always").node(disk(node("n1"), 100 * GB, 10 * GB))
                .node(disk(node("n2"), 100 * GB, 10 * GB)).node(disk(node("n3"), 100 * GB, 10 * GB))
                .topic(topic("t", 6, 1).withSizeBytes(GB)).build());
        ClusterView hot = placed.toBuilder().node(disk(node("n1"), 100 * GB, 92 * GB)).build();
        Copy onN1 = hot.copies().stream().filter(c -> c.node().equals("n1") && c.id().copy() == 1).findFirst().orElseThrow();
        assertTrue(canRemain(hot, onN1.id()).explanation().startsWith("the copy cannot remain on this node because it is above the high "
                + "watermark cluster setting [ferry.allocation.disk.watermark.high=90%]"));
        RoundResult r = new Allocator().round(hot);
        assertTrue(r.moves().stream().anyMatch(m -> m.from().equals("n1")), r.moves().toString());
    }

    @Test
    void byteWatermarksMeanFreeSpace() {
        ClusterView view = cluster("ferry.allocation.disk.watermark.low", "20gb", "ferry.allocation.disk.watermark.high", "10gb",
                "ferry.allocation.disk.watermark.flood-stage", "5gb")
                .node(disk(node("n1"), 1000 * GB, 900 * GB)).node(disk(node("n2"), 1000 * GB, 985 * GB))
                .topic(topic("t", 1, 1)).copy(Copy.started(id("t", 0, 0), "n1", GB)).build();
        Decision d = canAllocate(view, id("t", 0, 1), "n2");
        assertTrue(d.explanation().contains("[ferry.allocation.disk.watermark.low=20gb]"), d.explanation());
    }

    @Test
    void disabledThresholdsAllowAnything() {
        ClusterView view = settle(cluster("ferry.allocation.disk.threshold-enabled", "false").node(disk(node("n1"), 100 * GB, 99 * GB))
                .topic(topic("t", 1, 0)).build());
        assertEquals("n1", nodeOf(view, id("t", 0, 0)));
    }

    @Test
    void aNodeWithoutAReportIsGivenTheAverageOfThoseThatReported() {
        ClusterView view = cluster().node(disk(node("n1"), 100 * GB, 88 * GB)).node(disk(node("n2"), 100 * GB, 88 * GB)).node(node("n3"))
                .topic(topic("t", 1, 1)).copy(Copy.started(id("t", 0, 0), "n1", GB)).build();
        assertEquals(Decision.Type.NO, canAllocate(view, id("t", 0, 1), "n3").type());
    }

    @Test
    void floodStageMarksTopicsReadOnlyAndHighReleasesThem() {
        ClusterView placed = settle(cluster().node(disk(node("n1"), 100 * GB, 10 * GB)).node(disk(node("n2"), 100 * GB, 10 * GB))
                .topic(topic("a", 1, 0)).topic(topic("b", 1, 0)).build());
        String aNode = nodeOf(placed, id("a", 0, 0));
        String bNode = nodeOf(placed, id("b", 0, 0));
        ClusterView flooded = placed.toBuilder().node(disk(node(aNode), 100 * GB, 96 * GB)).build();
        RoundResult r = new Allocator().round(flooded);
        assertEquals(aNode.equals(bNode) ? Set.of("a", "b") : Set.of("a"), r.readOnlyTopics());
        assertTrue(r.next().topics().get("a").settings().readOnlyAllowDelete());
        // below flood but still above high: stays blocked
        ClusterView stillHigh = r.next().toBuilder().node(disk(node(aNode), 100 * GB, 92 * GB)).build();
        assertTrue(DiskThresholdMonitor.readOnlyTopics(stillHigh).contains("a"));
        // below high: released
        ClusterView belowHigh = r.next().toBuilder().node(disk(node(aNode), 100 * GB, 89 * GB)).build();
        RoundResult released = new Allocator().round(belowHigh);
        assertEquals(Set.of(), released.readOnlyTopics());
        Topic a = released.next().topics().get("a");
        assertEquals(false, a.settings().readOnlyAllowDelete());
    }

    @Test
    void disablingThresholdsReleasesEveryBlock() {
        ClusterView flooded = cluster().node(disk(node("n1"), 100 * GB, 99 * GB)).topic(topic("a", 1, 0, "topic.blocks.read-only-allow-delete", "true"))
                .copy(Copy.started(id("a", 0, 0), "n1", GB)).build();
        assertEquals(Set.of("a"), DiskThresholdMonitor.readOnlyTopics(flooded));
        assertEquals(Set.of(), DiskThresholdMonitor.readOnlyTopics(withSettings(flooded, "ferry.allocation.disk.threshold-enabled", "false")));
    }

    @Test
    void aMasterLostWithItsNodeIsNotANewQueue() {
        ClusterView view = cluster().node(disk(node("n1"), 100 * GB, 87 * GB)).topic(topic("t", 1, 0))
                .copy(Copy.unassigned(id("t", 0, 0), UnassignedInfo.of(UnassignedInfo.Reason.NODE_LEFT), GB)).build();
        assertEquals(List.of("in_sync_copy"), List.of(canAllocate(view, id("t", 0, 0), "n1").decider()));
    }
}
