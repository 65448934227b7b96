package dev.ferry.allocation;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The flood-stage side of the disk watermarks (ES's DiskThresholdMonitor): a topic with a copy on a node over the
 * flood stage becomes read-only-allow-delete (producers are refused, deletes allowed); it is released once none of
 * its copies is on a node over the <em>high</em> watermark and every node holding its copies has reported.
 * Disabling {@code ferry.allocation.disk.threshold-enabled} releases every topic.
 *
 * <p>Stateless and thread-safe.
 */
public final class DiskThresholdMonitor {
    private DiskThresholdMonitor() {}

    /** @return the topics that must be read-only after this disk report, in name order */
    public static Set<String> readOnlyTopics(ClusterView view) {
        Set<String> out = new TreeSet<>();
        AllocationSettings s = view.settings();
        if (!s.diskThresholdEnabled()) {
            return out;
        }
        Set<String> flooded = new HashSet<>();
        Set<String> overHigh = new HashSet<>();
        Set<String> unreported = new HashSet<>();
        for (Node n : view.nodes().values()) {
            if (n.disk().isEmpty()) {
                unreported.add(n.name());
                continue;
            }
            DiskUsage d = n.disk().get();
            if (d.freeBytes() < s.watermarks().freeBytesThreshold(DiskWatermarks.Level.FLOOD_STAGE, d.totalBytes())) {
                flooded.add(n.name());
            }
            if (d.freeBytes() < s.watermarks().freeBytesThreshold(DiskWatermarks.Level.HIGH, d.totalBytes())) {
                overHigh.add(n.name());
            }
        }
        Set<String> keep = new HashSet<>();
        for (Copy c : view.copies()) {
            String topic = c.id().topic();
            for (String node : new String[] {c.node(), c.relocatingTo()}) {
                if (node == null) {
                    continue;
                }
                if (flooded.contains(node)) {
                    out.add(topic);
                }
                if (overHigh.contains(node) || unreported.contains(node)) {
                    keep.add(topic);
                }
            }
        }
        for (Topic t : view.topics().values()) {
            if (t.settings().readOnlyAllowDelete() && keep.contains(t.name())) {
                out.add(t.name());
            }
        }
        return out;
    }
}
