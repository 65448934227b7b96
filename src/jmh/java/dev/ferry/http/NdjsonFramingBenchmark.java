package dev.ferry.http;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.FramingTruncation;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NDJSON send stream's framing alone: 4,096 lines of a 1 KiB message each ({"body": "..."}), arriving in 64 KiB
 * chunks as a producer's TCP stream does, split into lines and blank lines dropped. {@code delimiter} is what the
 * route did before (Akka 2.6's Framing.delimiter, then utf8String().isBlank() per line); {@code ndjsonLines} is what it
 * does now. Score: time per 4,096 lines.
 *
 * <p>{@code java -jar target/benchmarks.jar NdjsonFramingBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NdjsonFramingBenchmark {

    static final int LINES = 4096;
    static final int MAX_LINE = 4 * 1024 * 1024 * 4 / 3 + 65_536;

    ActorSystem<Void> system;
    List<ByteString> chunks;

    @Setup(Level.Trial)
    public void setUp() {
        system = ActorSystem.create(Behaviors.empty(), "ndjson-bench");
        String line = "{\"body\": \"" + "x".repeat(1024) + "\"}\n";
        byte[] all = line.repeat(LINES).getBytes(StandardCharsets.UTF_8);
        chunks = new ArrayList<>();
        for (int at = 0; at < all.length; at += 65_536)
            chunks.add(ByteString.fromArray(all, at, Math.min(65_536, all.length - at)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        system.terminate();
    }

    @Benchmark
    public long delimiter() throws Exception {
        return Source.from(chunks)
                .via(Framing.delimiter(ByteString.fromString("\n"), MAX_LINE, FramingTruncation.ALLOW))
                .filter(l -> !l.isEmpty() && !l.utf8String().isBlank())
                .runWith(Sink.fold(0L, (n, l) -> n + 1), system).toCompletableFuture().get();
    }

    @Benchmark
    public long ndjsonLines() throws Exception {
        return Source.from(chunks)
                .via(new NdjsonLines(MAX_LINE))
                .filter(l -> !MessageApi.blank(l))
                .runWith(Sink.fold(0L, (n, l) -> n + 1), system).toCompletableFuture().get();
    }
}
