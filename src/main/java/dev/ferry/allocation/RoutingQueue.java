package dev.ferry.allocation;

/** A queue inside a {@link Routing}: its copies, master first. Not thread-safe. */
public final class RoutingQueue {
    private final RoutingTopic topic;
    private final int queue;
    final RoutingCopy[] copies;

    RoutingQueue(RoutingTopic topic, int queue, int copies) {
        this.topic = topic;
        this.queue = queue;
        this.copies = new RoutingCopy[copies];
    }

    /** @return the topic */
    public RoutingTopic topic() {
        return topic;
    }

    /** @return the queue ordinal */
    public int ordinal() {
        return queue;
    }

    /** @return the master copy */
    public RoutingCopy master() {
        return copies[0];
    }

    /** @return copy {@code n} (0 = master) */
    public RoutingCopy copy(int n) {
        return copies[n];
    }

    /** @return number of copies */
    public int size() {
        return copies.length;
    }

    /** @return whether the master is active: started, or relocating (still serving at its source) */
    public boolean masterActive() {
        CopyState s = copies[0].state();
        return s == CopyState.STARTED || s == CopyState.RELOCATING;
    }

    /** @return whether the queue has never had a log: its master waits unassigned since topic creation and no copy has started */
    public boolean isNew() {
        for (RoutingCopy c : copies) {
            if (c.state() == CopyState.STARTED || c.state() == CopyState.RELOCATING) {
                return false;
            }
        }
        RoutingCopy m = copies[0];
        return m.state() != CopyState.UNASSIGNED || m.unassignedInfo().newQueue();
    }

    /** @return the copy of this queue on {@code node} (as its node or relocation target), or null */
    public RoutingCopy copyOn(RoutingNode node) {
        for (RoutingCopy c : copies) {
            if (c.node() == node || c.target() == node) {
                return c;
            }
        }
        return null;
    }

    /** @return whether every copy is started (or relocating, i.e. still serving) */
    public boolean allActive() {
        for (RoutingCopy c : copies) {
            if (c.state() != CopyState.STARTED && c.state() != CopyState.RELOCATING) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return topic.name() + "/" + queue;
    }
}
