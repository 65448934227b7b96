package dev.ferry.allocation;

/**
 * Why a copy is unassigned, as in ES's {@code unassigned_info}.
 *
 * @param reason         what made it unassigned
 * @param failedAttempts how many allocations of it failed in a row (counted against {@code topic.allocation.max-retries})
 * @param details        free text, may be empty
 * @param lastNode       the node that last held the copy's data, or "" (ES's {@code last_allocated_node_id}): a replica
 *                       goes back there when that node is up and accepts it, as ES's replica allocator prefers a node
 *                       with a matching store, so a restarted node gets its own copies back rather than a balance pick
 */
public record UnassignedInfo(Reason reason, int failedAttempts, String details, String lastNode) {

    /** An info that names no node holding the copy's data. */
    public UnassignedInfo(Reason reason, int failedAttempts, String details) {
        this(reason, failedAttempts, details, "");
    }

    /** ES's unassigned reasons that exist in Ferry. */
    public enum Reason {
        /** The topic (or queue) is new: its master may start anywhere, with an empty log. */
        TOPIC_CREATED,
        /** The cluster started and the copy's node has not joined yet. */
        CLUSTER_RECOVERED,
        /** {@code topic.replicas} was raised. */
        REPLICA_ADDED,
        /** The node holding the copy left the cluster. */
        NODE_LEFT,
        /** The copy failed on its node. */
        ALLOCATION_FAILED,
        /** The master was promoted onto this replica's node; the replica must start elsewhere. */
        REALLOCATED_REPLICA,
        /** The master failed; the copy waits for a promotion. */
        MASTER_FAILED
    }

    public UnassignedInfo {
        if (reason == null) {
            throw new IllegalArgumentException("unassigned reason must not be null");
        }
        if (failedAttempts < 0) {
            throw new IllegalArgumentException("failedAttempts must be >= 0");
        }
        details = details == null ? "" : details;
        lastNode = lastNode == null ? "" : lastNode;
    }

    /** @return an info with no failed attempts and no details */
    public static UnassignedInfo of(Reason reason) {
        return new UnassignedInfo(reason, 0, "");
    }

    /** @return the info of a copy whose node {@code node} left the cluster with the copy's data on it */
    public static UnassignedInfo nodeLeft(String node) {
        return new UnassignedInfo(Reason.NODE_LEFT, 0, "node [" + node + "] left the cluster", node);
    }

    /** @return whether a master with this info starts a brand-new (empty) log */
    public boolean newQueue() {
        return reason == Reason.TOPIC_CREATED;
    }
}
