package dev.ferry.allocation;

/**
 * Why a copy is unassigned, as in ES's {@code unassigned_info}.
 *
 * @param reason         what made it unassigned
 * @param failedAttempts how many allocations of it failed in a row (counted against {@code topic.allocation.max-retries})
 * @param details        free text, may be empty
 */
public record UnassignedInfo(Reason reason, int failedAttempts, String details) {

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
    }

    /** @return an info with no failed attempts and no details */
    public static UnassignedInfo of(Reason reason) {
        return new UnassignedInfo(reason, 0, "");
    }

    /** @return whether a master with this info starts a brand-new (empty) log */
    public boolean newQueue() {
        return reason == Reason.TOPIC_CREATED;
    }
}
