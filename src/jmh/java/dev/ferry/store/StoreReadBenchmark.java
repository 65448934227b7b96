package dev.ferry.store;

import org.openjdk.jmh.annotations.*;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Store reads, in records per second, from one thread over a warm page cache:
 * {@code readByOffset} reads one record at a random sequence nr (index lookup + CRC-checked record read);
 * {@code sequentialScan} reads batches of 1,000 in order. 200,000 records of one id are written first,
 * interleaved with a second id so the index does the work, not adjacency alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
public class StoreReadBenchmark {

    static final int RECORDS = 200_000;
    static final int SCAN_BATCH = 1000;

    @Param({"100", "1024"})
    public int payloadSize;

    Path dir;
    MessageStore store;
    long cursor = 1;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        dir = BenchStores.freshDir("read");
        store = BenchStores.open(dir, 64L << 30);
        byte[] payload = new byte[payloadSize];
        for (long s = 1; s <= RECORDS; s++) {
            store.append(List.of(new AppendRecord("read-me", s, 0, payload), new AppendRecord("other", s, 0, payload)), FlushMode.ASYNC);
        }
        store.append(List.of(new AppendRecord("other", RECORDS + 1, 0, payload)), FlushMode.SYNC).get();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        BenchStores.delete(dir);
    }

    @Benchmark
    public Object readByOffset() throws Exception {
        long s = ThreadLocalRandom.current().nextLong(1, RECORDS + 1);
        return store.read("read-me", s, s, 1, TagFilter.ALL);
    }

    @Benchmark
    @OperationsPerInvocation(SCAN_BATCH)
    public Object sequentialScan() throws Exception {
        long from = cursor;
        cursor = from + SCAN_BATCH > RECORDS ? 1 : from + SCAN_BATCH;
        return store.read("read-me", from, from + SCAN_BATCH - 1, SCAN_BATCH, TagFilter.ALL);
    }
}
