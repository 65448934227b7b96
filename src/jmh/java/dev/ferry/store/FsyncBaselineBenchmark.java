package dev.ferry.store;

import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The disk's single-writer fdatasync rate in the bench directory, measured the way the store pays it:
 * write 1 KiB at the end of a preallocated file, then {@code force(false)} (fdatasync), one thread.
 * The baseline that group commit ({@link StoreAppendBenchmark#sync64Writers}) is compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
public class FsyncBaselineBenchmark {

    Path dir;
    FileChannel channel;
    final ByteBuffer block = ByteBuffer.allocateDirect(1024);
    long position;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchStores.freshDir("fsync");
        channel = FileChannel.open(dir.resolve("file"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.write(ByteBuffer.allocate(1), (1L << 30) - 1); // sized up front, like a segment
        channel.force(true);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        channel.close();
        BenchStores.delete(dir);
    }

    @Benchmark
    public long writeAndFdatasync() throws Exception {
        block.clear();
        channel.write(block, position);
        position = (position + 1024) % (1L << 30);
        channel.force(false);
        return position;
    }
}
