package dev.ferry.allocation;

import java.util.Objects;

/**
 * One copy of a queue and where it is.
 *
 * @param id             which copy
 * @param state          its routing state
 * @param node           the node holding it; null when {@link CopyState#UNASSIGNED}
 * @param relocatingTo   the node it is moving to when {@link CopyState#RELOCATING}, else null
 * @param sizeBytes      the size of its log in bytes (0 if unknown)
 * @param inSync         whether it is in its queue's in-sync set (masters always are); only in-sync copies can be promoted
 * @param unassignedInfo why it is unassigned; null unless {@link CopyState#UNASSIGNED}
 */
public record Copy(CopyId id, CopyState state, String node, String relocatingTo, long sizeBytes, boolean inSync,
                   UnassignedInfo unassignedInfo) {

    public Copy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("copy " + id + ": sizeBytes must be >= 0");
        }
        if (state == CopyState.UNASSIGNED) {
            if (node != null || relocatingTo != null) {
                throw new IllegalArgumentException("copy " + id + ": an unassigned copy has no node");
            }
            if (unassignedInfo == null) {
                unassignedInfo = UnassignedInfo.of(UnassignedInfo.Reason.TOPIC_CREATED);
            }
        } else {
            if (node == null) {
                throw new IllegalArgumentException("copy " + id + ": a " + state + " copy needs a node");
            }
            if ((state == CopyState.RELOCATING) != (relocatingTo != null)) {
                throw new IllegalArgumentException("copy " + id + ": relocatingTo is set exactly when the state is RELOCATING");
            }
            if (node.equals(relocatingTo)) {
                throw new IllegalArgumentException("copy " + id + ": cannot relocate to its own node [" + node + "]");
            }
            unassignedInfo = null;
        }
    }

    /** An unassigned copy. */
    public static Copy unassigned(CopyId id, UnassignedInfo info, long sizeBytes) {
        return new Copy(id, CopyState.UNASSIGNED, null, null, sizeBytes, id.copy() == 0, info);
    }

    /** A started, in-sync copy. */
    public static Copy started(CopyId id, String node, long sizeBytes) {
        return new Copy(id, CopyState.STARTED, node, null, sizeBytes, true, null);
    }

    /** A copy recovering on {@code node}; a recovering replica is not in sync yet. */
    public static Copy initializing(CopyId id, String node, long sizeBytes) {
        return new Copy(id, CopyState.INITIALIZING, node, null, sizeBytes, id.copy() == 0, null);
    }

    /** A started copy moving from {@code node} to {@code target}. */
    public static Copy relocating(CopyId id, String node, String target, long sizeBytes) {
        return new Copy(id, CopyState.RELOCATING, node, target, sizeBytes, true, null);
    }

    /** @return the copy's role, derived from its copy number */
    public Role role() {
        return id.role();
    }

    /** @return the node that holds (or will hold, when relocating) this copy; null when unassigned */
    public String owningNode() {
        return relocatingTo != null ? relocatingTo : node;
    }
}
