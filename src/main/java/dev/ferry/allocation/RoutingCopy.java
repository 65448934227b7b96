package dev.ferry.allocation;

/**
 * A copy inside a {@link Routing}. Its state changes as the computation assigns, moves and starts it.
 * Not thread-safe.
 */
public final class RoutingCopy {
    private final CopyId id;
    private final RoutingTopic topic;
    private final RoutingQueue queue;
    CopyState state;
    RoutingNode node;
    RoutingNode target;
    long size;
    boolean inSync;
    UnassignedInfo unassignedInfo;
    /** The node whose outgoing-recovery counter this copy's recovery holds, or null. */
    RoutingNode recoverySource;
    /** Whether this copy's recovery holds an initial-master slot on its target. */
    boolean initialMasterRecovery;

    RoutingCopy(CopyId id, RoutingTopic topic, RoutingQueue queue) {
        this.id = id;
        this.topic = topic;
        this.queue = queue;
    }

    /** @return the copy id */
    public CopyId id() {
        return id;
    }

    /** @return whether this is the queue's master */
    public boolean isMaster() {
        return id.copy() == 0;
    }

    /** @return the role */
    public Role role() {
        return id.role();
    }

    /** @return the topic */
    public RoutingTopic topic() {
        return topic;
    }

    /** @return the queue */
    public RoutingQueue queue() {
        return queue;
    }

    /** @return the current state */
    public CopyState state() {
        return state;
    }

    /** @return the node holding it (relocation source while relocating); null when unassigned */
    public RoutingNode node() {
        return node;
    }

    /** @return the relocation target while relocating, else null */
    public RoutingNode target() {
        return target;
    }

    /** @return the node that owns it: the relocation target while relocating, else its node */
    public RoutingNode owner() {
        return target != null ? target : node;
    }

    /** @return its size in bytes as reported (0 if unknown) */
    public long size() {
        return size;
    }

    /** @return the size to plan with: its own size, else the largest size of its queue's copies, else the topic's expected size */
    public long expectedSize() {
        if (size > 0) {
            return size;
        }
        long max = 0;
        for (RoutingCopy c : queue.copies) {
            max = Math.max(max, c.size);
        }
        return max > 0 ? max : topic.topic().sizeBytes();
    }

    /** @return whether the copy is in its queue's in-sync set */
    public boolean inSync() {
        return inSync;
    }

    /** @return why it is unassigned; null unless unassigned */
    public UnassignedInfo unassignedInfo() {
        return unassignedInfo;
    }

    /** @return whether it is a started in-sync replica: a copy a master can be promoted onto */
    public boolean isPromotable() {
        return !isMaster() && inSync && (state == CopyState.STARTED || state == CopyState.RELOCATING);
    }

    /** @return the copy as an immutable value */
    public Copy toCopy() {
        return new Copy(id, state, node == null ? null : node.name(), target == null ? null : target.name(), size,
                inSync || isMaster(), unassignedInfo);
    }

    @Override
    public String toString() {
        return id + "[" + state + (node == null ? "" : " on " + node.name()) + (target == null ? "" : " -> " + target.name()) + "]";
    }
}
