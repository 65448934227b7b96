package dev.ferry.allocation.decider;

import dev.ferry.allocation.AllocationDecider;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.DiskWatermarks;
import dev.ferry.allocation.DiskWatermarks.Level;
import dev.ferry.allocation.Routing;
import dev.ferry.allocation.RoutingCopy;
import dev.ferry.allocation.RoutingNode;

/**
 * Disk watermarks (ES's DiskThresholdDecider). No copy goes to a node over the low watermark (except a brand-new
 * master while the node is still under the high watermark), no copy goes where it would push the node over the
 * high watermark, and a copy may not remain on a node over the high watermark. Copies still recovering onto a
 * node count against its free space; copies relocating away count as freed only for remaining.
 */
public final class DiskThresholdDecider implements AllocationDecider {
    public static final String NAME = "disk_threshold";
    private static final Decision YES_DISABLED = Decision.yes(NAME, "the disk threshold decider is disabled, ["
            + AllocationSettings.DISK_THRESHOLD_ENABLED + "=false]");
    private static final Decision YES_NO_REPORTS = Decision.yes(NAME, "no node has reported disk usage yet");
    private static final Decision YES_ENOUGH = Decision.yes(NAME, "enough disk for the copy on this node");
    private static final Decision YES_REMAIN = Decision.yes(NAME, "this node is below the high watermark, the copy may remain");
    private static final Decision NO_LOW = Decision.no(NAME, "the node is above the low watermark cluster setting [" + DiskWatermarks.LOW + "]");
    private static final Decision NO_HIGH = Decision.no(NAME, "the node is above the high watermark cluster setting [" + DiskWatermarks.HIGH + "]");
    private static final Decision NO_WOULD_EXCEED = Decision.no(NAME, "allocating the copy to this node would bring the node above the high "
            + "watermark cluster setting [" + DiskWatermarks.HIGH + "]");
    private static final Decision NO_REMAIN = Decision.no(NAME, "the copy cannot remain on this node because it is above the high watermark "
            + "cluster setting [" + DiskWatermarks.HIGH + "]");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
        Decision unchecked = unchecked(node, routing);
        if (unchecked != null) {
            return unchecked;
        }
        DiskWatermarks wm = routing.settings().watermarks();
        long total = node.diskTotal();
        long free = total - node.diskUsed() - node.incomingBytes();
        long low = wm.freeBytesThreshold(Level.LOW, total);
        long high = wm.freeBytesThreshold(Level.HIGH, total);
        boolean debug = routing.debug();
        if (free < 0) {
            return Decision.no(NAME, "the node has fewer free bytes remaining than the total size of all incoming copies: free space ["
                    + bytes(total - node.diskUsed()) + "], reserved by incoming copies [" + bytes(node.incomingBytes()) + "]");
        }
        if (free < low) {
            boolean newMaster = copy.isMaster() && copy.state() == CopyState.UNASSIGNED && copy.queue().isNew();
            if (newMaster && free > high) {
                return debug ? Decision.yes(NAME, "the node is above the low watermark, but less than the high watermark, and this master "
                        + "copy has never been allocated before") : YES_ENOUGH;
            }
            if (newMaster) {
                return debug ? Decision.no(NAME, "the node is above the high watermark cluster setting [" + DiskWatermarks.HIGH + "="
                        + wm.highText() + "], having less than the minimum required [" + bytes(high) + "] free space, actual free: ["
                        + bytes(free) + "], actual used: [" + pct(total, free) + "]") : NO_HIGH;
            }
            return debug ? Decision.no(NAME, "the node is above the low watermark cluster setting [" + DiskWatermarks.LOW + "="
                    + wm.lowText() + "], having less than the minimum required [" + bytes(low) + "] free space, actual free: ["
                    + bytes(free) + "], actual used: [" + pct(total, free) + "]") : NO_LOW;
        }
        long size = copy.expectedSize();
        if (free - size < high) {
            return debug ? Decision.no(NAME, "allocating the copy to this node will bring the node above the high watermark cluster setting ["
                    + DiskWatermarks.HIGH + "=" + wm.highText() + "] and cause it to have less than the minimum required [" + bytes(high)
                    + "] of free space (free: [" + bytes(free) + "], used: [" + pct(total, free) + "], copy size: [" + bytes(size) + "])")
                    : NO_WOULD_EXCEED;
        }
        return debug ? Decision.yes(NAME, "enough disk for the copy on this node, free: [" + bytes(free) + "], used: [" + pct(total, free)
                + "], copy size: [" + bytes(size) + "], free after allocating: [" + bytes(free - size) + "]") : YES_ENOUGH;
    }

    @Override
    public Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
        Decision unchecked = unchecked(node, routing);
        if (unchecked != null) {
            return unchecked;
        }
        DiskWatermarks wm = routing.settings().watermarks();
        long total = node.diskTotal();
        long free = total - node.diskUsed() - node.incomingBytes() + node.leavingBytes();
        long high = wm.freeBytesThreshold(Level.HIGH, total);
        if (free < 0 || free < high) {
            return routing.debug() ? Decision.no(NAME, "the copy cannot remain on this node because it is above the high watermark cluster "
                    + "setting [" + DiskWatermarks.HIGH + "=" + wm.highText() + "] and there is less than the required [" + bytes(high)
                    + "] free space on the node, actual free: [" + bytes(free) + "], actual used: [" + pct(total, free) + "]") : NO_REMAIN;
        }
        return routing.debug() ? Decision.yes(NAME, "there is enough disk on this node for the copy to remain, free: [" + bytes(free) + "]")
                : YES_REMAIN;
    }

    /** @return why the node's disk is not checked at all (decider disabled, or no usage reported yet), or null when it is */
    private static Decision unchecked(RoutingNode node, Routing routing) {
        if (!routing.settings().diskThresholdEnabled()) {
            return YES_DISABLED;
        }
        if (!node.diskKnown()) {
            return YES_NO_REPORTS;
        }
        return null;
    }

    /** Formats a byte count the way ES prints sizes ({@code 1.2gb}). */
    static String bytes(long b) {
        String[] units = {"b", "kb", "mb", "gb", "tb", "pb"};
        double v = b;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + "b" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static String pct(long total, long free) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * (total - free) / total);
    }
}
