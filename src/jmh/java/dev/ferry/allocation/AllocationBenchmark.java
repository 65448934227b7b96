package dev.ferry.allocation;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The allocation core at the scale of issue #3 (2,000 topics x 8 queues x 2 copies over 100 nodes in 3 zones).
 * Run: {@code bench/allocation.sh} or {@code java -jar target/benchmarks.jar AllocationBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-Xms2g"})
public class AllocationBenchmark {
    private final Allocator allocator = new Allocator();
    private ClusterView empty;
    private ClusterView placed;
    private ClusterView grown;
    private CopyId newCopy;

    @Setup(Level.Trial)
    public void setUp() {
        empty = ScaleScenario.empty(ScaleScenario.NODES);
        placed = ScaleScenario.placed(empty, allocator.desiredBalance(empty));
        grown = ScaleScenario.withMoreNodes(placed, ScaleScenario.ADDED_NODES);
        // one brand-new queue copy on the full cluster: what allocateShard asks for a new topic
        placed = placed.toBuilder().topic(Topic.of("fresh", 1, 0, java.util.Map.of())).build();
        newCopy = CopyId.master("fresh", 0);
    }

    /** The desired placement of all 32,000 copies on an empty 100-node cluster (target: under 1 s). */
    @Benchmark
    public DesiredBalance firstPlacement() {
        return allocator.desiredBalance(empty);
    }

    /** A whole first round: desired balance plus the (throttled) placements towards it and the resulting view. */
    @Benchmark
    public RoundResult firstRound() {
        return allocator.round(empty);
    }

    /** The desired placement after 10 nodes join the balanced 100-node cluster. */
    @Benchmark
    public DesiredBalance desiredAfterAddingNodes() {
        return allocator.desiredBalance(grown);
    }

    /** One copy needing a home on the full cluster: the cost of the shell's allocateShard. */
    @Benchmark
    public AllocationResult allocateOneCopy() {
        return allocator.allocate(placed, newCopy);
    }

    /** Building a view of the full cluster from values: part of the shell's cost per call. */
    @Benchmark
    public ClusterView buildView() {
        return placed.toBuilder().build();
    }
}
