package dev.ferry.store;

import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Store appends, in records per second.
 * <ul>
 *   <li>{@code asyncOneWriter}: one thread, one record per append, ASYNC flush (target ≥ 1,000,000/s at 1 KiB);</li>
 *   <li>{@code asyncOneWriterGroupsOf16}: the same with 16 records per append (how the journal batches);</li>
 *   <li>{@code syncOneWriter}: one thread, SYNC — one fdatasync per record, the baseline for group commit;</li>
 *   <li>{@code sync64Writers}: 64 threads, SYNC, each waits for its own record (target ≥ 32× the disk's
 *       single-writer fdatasync rate, see {@link FsyncBaselineBenchmark}).</li>
 * </ul>
 * Every writer thread has its own persistence id; all share one store (one commit log), as on a node.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class StoreAppendBenchmark {

    @Param({"100", "1024"})
    public int payloadSize;

    Path dir;
    MessageStore store;
    final AtomicInteger writers = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchStores.freshDir("append");
        store = BenchStores.open(dir, 4L << 30);
    }

    private long forcesAtStart;
    private long iterationStart;

    @Setup(Level.Iteration)
    public void countForces() {
        forcesAtStart = store.forceCount();
        iterationStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void trim() throws Exception {
        // Forces per second: with the score (records per second) it gives records per force, the group size.
        System.out.printf("  [forces] %,.0f forces/s%n", (store.forceCount() - forcesAtStart) * 1e9 / (System.nanoTime() - iterationStart));
        store.runRetention();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        BenchStores.delete(dir);
    }

    /**
     * Per-thread writer: its own persistence id and sequence counter, one reused payload. It also reports, per
     * iteration, records per second of its own CPU time — on a shared machine the wall-clock score measures how
     * much CPU the writer got as much as the store; this separates the two.
     */
    @State(Scope.Thread)
    public static class Writer {
        static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        String id;
        long seq;
        byte[] payload;
        List<AppendRecord> group16 = new ArrayList<>(16);
        long cpuAtStart;
        long wallAtStart;
        long seqAtStart;

        @Setup(Level.Iteration)
        public void startIteration() {
            cpuAtStart = THREADS.getCurrentThreadCpuTime();
            wallAtStart = System.nanoTime();
            seqAtStart = seq;
        }

        @TearDown(Level.Iteration)
        public void endIteration(BenchmarkParams params) {
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
            long wall = System.nanoTime() - wallAtStart;
            if (params.getThreads() == 1 && cpu > 0) {
                System.out.printf("  [cpu] %s: %,.0f records per writer-CPU-second (the writer thread ran %.0f%% of the wall time)%n",
                        id, (seq - seqAtStart) * 1e9 / cpu, 100.0 * cpu / wall);
            }
        }

        @Setup(Level.Trial)
        public void setUp(StoreAppendBenchmark bench) {
            id = "bench-writer-" + bench.writers.incrementAndGet();
            payload = new byte[bench.payloadSize];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
        }
    }

    @Benchmark
    @Threads(1)
    public Object asyncOneWriter(Writer w) {
        return store.append(List.of(new AppendRecord(w.id, ++w.seq, 0, w.payload)), FlushMode.ASYNC);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(16)
    public Object asyncOneWriterGroupsOf16(Writer w) {
        List<AppendRecord> group = w.group16;
        group.clear();
        for (int i = 0; i < 16; i++) {
            group.add(new AppendRecord(w.id, ++w.seq, 0, w.payload));
        }
        return store.append(group, FlushMode.ASYNC);
    }

    @Benchmark
    @Threads(1)
    public Object syncOneWriter(Writer w) throws Exception {
        return store.append(List.of(new AppendRecord(w.id, ++w.seq, 0, w.payload)), FlushMode.SYNC).get();
    }

    @Benchmark
    @Threads(64)
    public Object sync64Writers(Writer w) throws Exception {
        return store.append(List.of(new AppendRecord(w.id, ++w.seq, 0, w.payload)), FlushMode.SYNC).get();
    }
}
