package dev.ferry.allocation;

/**
 * A node inside a {@link Routing}: the node plus the counters deciders and weights read. Copies on a node are
 * "owned" when started or initializing there or relocating to it; a relocation source no longer counts.
 *
 * <p>Not thread-safe: confined to the computation that owns the {@link Routing}.
 */
public final class RoutingNode {
    private final int index;
    private final Node node;
    private final int[] topicCopies;
    int copies;
    int incomingRecoveries;
    int outgoingRecoveries;
    int initializingMasters;
    long incomingBytes;
    long leavingBytes;
    long ownedBytes;
    double writeLoad;
    long diskTotal;
    long diskUsed;
    boolean diskKnown;

    RoutingNode(int index, Node node, int topics) {
        this.index = index;
        this.node = node;
        this.topicCopies = new int[topics];
    }

    /** @return position of this node in {@link Routing#nodes()} (name order) */
    public int index() {
        return index;
    }

    /** @return the node */
    public Node node() {
        return node;
    }

    /** @return the node name */
    public String name() {
        return node.name();
    }

    /** @return copies owned by the node (all topics) */
    public int copies() {
        return copies;
    }

    /** @return copies of {@code topic} owned by the node */
    public int copies(RoutingTopic topic) {
        return topicCopies[topic.index()];
    }

    /** @return recoveries into this node in flight (new replicas and relocation targets) */
    public int incomingRecoveries() {
        return incomingRecoveries;
    }

    /** @return recoveries this node is the source of (it holds the master being copied) */
    public int outgoingRecoveries() {
        return outgoingRecoveries;
    }

    /** @return masters opening their logs here that are not relocation targets */
    public int initializingMasters() {
        return initializingMasters;
    }

    /** @return bytes of copies still recovering onto this node, not yet reflected in its disk report */
    public long incomingBytes() {
        return incomingBytes;
    }

    /** @return bytes of copies relocating away from this node */
    public long leavingBytes() {
        return leavingBytes;
    }

    /** @return bytes of the copies the node owns (for the disk-usage balance term) */
    public long ownedBytes() {
        return ownedBytes;
    }

    /** @return the summed write-load forecast of the copies the node owns */
    public double writeLoad() {
        return writeLoad;
    }

    /** @return whether disk usage is known: reported by the node, or the average of the reporting nodes */
    public boolean diskKnown() {
        return diskKnown;
    }

    /** @return disk capacity in bytes (meaningful when {@link #diskKnown()}) */
    public long diskTotal() {
        return diskTotal;
    }

    /** @return disk bytes used (meaningful when {@link #diskKnown()}) */
    public long diskUsed() {
        return diskUsed;
    }

    /** @return whether the node reported its own disk usage (as opposed to being given the average) */
    public boolean diskReported() {
        return node.disk().isPresent();
    }

    void adjust(RoutingCopy copy, int delta) {
        copies += delta;
        topicCopies[copy.topic().index()] += delta;
        ownedBytes += delta * copy.expectedSize();
        writeLoad += delta * copy.topic().topic().writeLoad();
    }

    @Override
    public String toString() {
        return node.name();
    }
}
