package dev.ferry.http;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The NDJSON line splitter of the send stream: lines wherever the chunks happen to break. */
class NdjsonLinesTest {

    static ActorSystem<Void> system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "ndjson-lines");
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    static List<String> split(int maxLine, String... chunks) throws Exception {
        return Source.from(Arrays.stream(chunks).map(ByteString::fromString).toList())
                .via(new NdjsonLines(maxLine))
                .map(b -> b == NdjsonLines.TOO_LONG ? "<too long>" : b.utf8String())
                .runWith(Sink.seq(), system)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void linesAreSplitAtNewlinesWhateverTheChunks() throws Exception {
        assertEquals(List.of("a", "bc", "", "def"), split(100, "a\nb", "c\n", "\nd", "e", "f\n"));
    }

    @Test
    void aLastLineWithoutNewlineCounts() throws Exception {
        assertEquals(List.of("one", "two"), split(100, "one\ntw", "o"));
    }

    @Test
    void aLineMayBeExactlyTheLimit() throws Exception {
        assertEquals(List.of("12345", "x"), split(5, "123", "45\nx\n"));
    }

    @Test
    void aLineOverTheLimitEndsTheStreamWithTheMarkerAfterTheLinesBefore() throws Exception {
        assertEquals(List.of("ok", "<too long>"), split(5, "ok\n", "123", "456\n", "more\n"));
    }

    @Test
    void anUnendedLineOverTheLimitEndsTheStreamBeforeItsEndArrives() throws Exception {
        assertEquals(List.of("<too long>"), split(5, "abcdefgh"));
    }

    @Test
    void manyLinesInOneChunkAllArriveInOrder() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10_000; i++) b.append("{\"n\":").append(i).append("}\n");
        List<String> lines = split(100, b.toString());
        assertEquals(10_000, lines.size());
        assertEquals("{\"n\":9999}", lines.get(9999));
    }
}
