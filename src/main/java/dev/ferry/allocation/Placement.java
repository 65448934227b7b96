package dev.ferry.allocation;

/**
 * An unassigned copy placed by a round: it starts initializing on {@code node}. A master placed on the node of one of
 * its in-sync replicas is a promotion ({@code promotion} true): that replica gives way and must recover elsewhere.
 *
 * @param copy      the copy
 * @param node      where it starts
 * @param promotion whether a master is promoted onto a replica's log
 */
public record Placement(CopyId copy, String node, boolean promotion) {
}
