package dev.ferry.allocation;

/**
 * ES's balance weight of a node for a topic (BalancedShardsAllocator's WeightFunction, 8.6+): the normalised sum of
 * how far the node is above average in copies of all topics ({@code balance.queue}), in copies of this topic
 * ({@code balance.topic}), in write load ({@code balance.write-load}) and in bytes ({@code balance.disk-usage}).
 * Lower is lighter; copies flow from heavy to light nodes.
 *
 * <p>Immutable and thread-safe once built for a {@link Routing}; it reads the routing's live counters.
 */
public final class WeightFunction {
    private final double thetaQueue;
    private final double thetaTopic;
    private final double thetaWriteLoad;
    private final double thetaDisk;
    private final double threshold;

    /** @param settings the balance factors and threshold */
    public WeightFunction(AllocationSettings settings) {
        double sum = settings.balanceQueue() + settings.balanceTopic() + settings.balanceWriteLoad() + settings.balanceDiskUsage();
        this.thetaQueue = settings.balanceQueue() / sum;
        this.thetaTopic = settings.balanceTopic() / sum;
        this.thetaWriteLoad = settings.balanceWriteLoad() / sum;
        this.thetaDisk = settings.balanceDiskUsage() / sum;
        this.threshold = settings.balanceThreshold();
    }

    /**
     * @return {@code weight(node, topic)}: {@code θq (copies(n) - avg) + θt (copies(n, t) - avg(t)) + θw (load(n) - avgLoad)
     * + θd (bytes(n) - avgBytes)}
     */
    public double weight(Routing routing, RoutingNode node, RoutingTopic topic) {
        int nodes = routing.nodes().length;
        double avgCopies = (double) routing.totalConfiguredCopies() / nodes;
        double avgTopic = (double) topic.totalCopies() / nodes;
        double w = thetaQueue * (node.copies() - avgCopies) + thetaTopic * (node.copies(topic) - avgTopic);
        if (thetaWriteLoad > 0) {
            w += thetaWriteLoad * (node.writeLoad() - averageWriteLoad(routing));
        }
        if (thetaDisk > 0) {
            w += thetaDisk * (node.ownedBytes() - averageBytes(routing));
        }
        return w;
    }

    /**
     * The same ordering as {@link #weight} without the averages (they are equal for every node of one topic), for the
     * hot paths that only rank nodes or compare two of them.
     */
    public double relativeWeight(RoutingNode node, RoutingTopic topic) {
        return thetaQueue * node.copies() + thetaTopic * node.copies(topic) + thetaWriteLoad * node.writeLoad() + thetaDisk * node.ownedBytes();
    }

    /**
     * @return the least weight difference worth a move for {@code topic}: {@code threshold} times the weight change of
     * moving one of its copies ({@code θq + θt + θw * loadPerCopy + θd * maxCopyBytes})
     */
    public double threshold(RoutingTopic topic) {
        return threshold * (thetaQueue + thetaTopic + thetaWriteLoad * topic.topic().writeLoad() + thetaDisk * topic.maxCopySize());
    }

    private static double averageWriteLoad(Routing routing) {
        double sum = 0;
        for (RoutingNode n : routing.nodes()) {
            sum += n.writeLoad();
        }
        return sum / routing.nodes().length;
    }

    private static double averageBytes(Routing routing) {
        double sum = 0;
        for (RoutingNode n : routing.nodes()) {
            sum += n.ownedBytes();
        }
        return sum / routing.nodes().length;
    }
}
