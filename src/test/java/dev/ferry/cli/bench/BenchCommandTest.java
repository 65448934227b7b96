package dev.ferry.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.FerryClient;
import dev.ferry.cli.FerryCommand;
import dev.ferry.cli.TestNode;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry bench produce|consume} against a real node: every send mode delivers exactly the messages it
 * counts (checked against the node's offsets), and the drain reads the whole backlog back.
 */
@ExtendWith(TestNode.class)
class BenchCommandTest {

    private static JsonNode runJson(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--url", TestNode.URL, "--json"))
                .toArray(String[]::new);
        int exit = FerryCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        assertEquals(0, exit, err.toString());
        String[] lines = out.toString().strip().split("\\R");
        try {
            return FerryClient.JSON.readTree(lines[lines.length - 1]);
        } catch (Exception e) {
            throw new AssertionError("last line is not JSON: " + out, e);
        }
    }

    private static long storedMessages(String topic) {
        long total = 0;
        for (JsonNode q : new FerryClient(URI.create(TestNode.URL)).get("/topics/" + topic).path("queueStates")) {
            total += q.path("maxOffset").asLong() - q.path("minOffset").asLong();
        }
        return total;
    }

    @ParameterizedTest(name = "{0} with {1} producers")
    @CsvSource({"single, 4", "batch, 2", "stream, 2"})
    void produceSendsExactlyTheRequestedMessagesInEveryMode(String mode, int producers) {
        String topic = "bench-" + mode + "-" + System.nanoTime() % 100_000;
        JsonNode summary = runJson("bench", "produce", "--topic", topic, "--mode", mode, "--producers", Integer.toString(producers),
                "--messages", "1000", "--batch", "50", "--window", "32", "--size", "100");
        assertEquals(1000, summary.path("messages").asLong());
        assertEquals(0, summary.path("errors").asLong());
        assertTrue(summary.path("p50ms").asDouble() > 0, summary.toString());
        assertEquals(1000, storedMessages(topic));
    }

    @ParameterizedTest(name = "{0} with {1} producers")
    @CsvSource({"single, 2", "batch, 2", "stream, 2"})
    void produceToMastersSendsProducerIsMessagesToQueueIModQueues(String mode, int producers) {
        String topic = "bench-routed-" + mode + "-" + System.nanoTime() % 100_000;
        JsonNode summary = runJson("bench", "produce", "--topic", topic, "--mode", mode, "--producers", Integer.toString(producers),
                "--messages", "1000", "--batch", "50", "--window", "32", "--size", "100", "--queues", "4", "--to-masters");
        assertEquals(1000, summary.path("messages").asLong());
        assertEquals(0, summary.path("errors").asLong());
        assertTrue(summary.path("toMasters").asBoolean(), summary.toString());
        long[] perQueue = new long[4];
        for (JsonNode q : new FerryClient(URI.create(TestNode.URL)).get("/topics/" + topic).path("queueStates")) {
            perQueue[q.path("queue").asInt()] = q.path("maxOffset").asLong();
        }
        assertTrue(perQueue[0] > 0 && perQueue[1] > 0, java.util.Arrays.toString(perQueue));
        assertEquals(0, perQueue[2] + perQueue[3], "no producer sends to queues 2 and 3: " + java.util.Arrays.toString(perQueue));
        assertEquals(1000, perQueue[0] + perQueue[1]);
    }

    @Test
    void consumeDrainsTheWholeBacklog() {
        String topic = "bench-drain-" + System.nanoTime() % 100_000;
        runJson("bench", "produce", "--topic", topic, "--mode", "batch", "--messages", "3000", "--batch", "100", "--size", "200");
        JsonNode drained = runJson("bench", "consume", "--topic", topic, "--max", "500");
        assertEquals(3000, drained.path("messages").asLong());
        assertEquals(0, drained.path("errors").asLong());
    }

    @Test
    void consumeThroughAGroupDrainsTheWholeBacklog() {
        String topic = "bench-group-" + System.nanoTime() % 100_000;
        runJson("bench", "produce", "--topic", topic, "--mode", "batch", "--messages", "2000", "--batch", "100", "--size", "200");
        JsonNode drained = runJson("bench", "consume", "--topic", topic, "--mode", "group", "--group", "g-" + topic, "--consumers", "2");
        assertEquals(2000, drained.path("messages").asLong());
    }

    @ParameterizedTest(name = "-n {0} --max {1} {2} mode")
    @CsvSource({"500, 1000, raw", "100, 10, raw", "100, 1000, group", "130, 7, group"})
    void consumeStopsAtExactlyTheRequestedMessages(long n, int max, String mode) {
        String topic = "bench-n-" + mode + "-" + System.nanoTime() % 100_000;
        runJson("bench", "produce", "--topic", topic, "--mode", "batch", "--messages", "4000", "--batch", "500", "--size", "50");
        JsonNode drained = runJson("bench", "consume", "--topic", topic, "--mode", mode, "--group", "g-" + topic,
                "--messages", Long.toString(n), "--max", Integer.toString(max));
        assertEquals(n, drained.path("messages").asLong(), drained.toString());
    }

    @Test
    void consumeThroughAGroupWithSeveralConsumersCountsEachMessageOnce() {
        String topic = "bench-group4-" + System.nanoTime() % 100_000;
        runJson("bench", "produce", "--topic", topic, "--mode", "batch", "--messages", "6000", "--batch", "500", "--size", "50", "--queues", "8");
        JsonNode drained = runJson("bench", "consume", "--topic", topic, "--mode", "group", "--group", "g-" + topic, "--consumers", "4", "--max", "100");
        assertEquals(6000, drained.path("messages").asLong(), drained.toString());
        assertTrue(drained.has("redelivered"), drained.toString());
    }

    @Test
    void zeroConsumersIsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = FerryCommand.commandLine().setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true))
                .execute("bench", "consume", "-c", "0", "--url", TestNode.URL);
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("--consumers"), err.toString());
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--url", TestNode.URL))
                .toArray(String[]::new);
        int exit = FerryCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aBatchAboveTheNodesLimitIsAUsageError() {
        Run r = run("bench", "produce", "--mode", "batch", "-b", "20000", "-n", "10");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("--batch must be at most 10000 (the node's limit per batch request), was 20000"), r.err());
    }

    @Test
    void aRunWhoseEverySendIsRefusedSaysWhatTheNodeAnsweredAndExits1() {
        String topic = "bench-refused-" + System.nanoTime() % 100_000;
        assertEquals(0, run("topic", "create", topic, "--max-message-size", "1000").exit());
        Run r = run("bench", "produce", "--topic", topic, "-s", "5000", "-p", "2", "-d", "20");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("bench: every send failed"), r.err());
        assertTrue(r.err().contains("HTTP 413") && r.err().contains("message_too_large"), r.err());
        assertTrue(!r.out().contains("NaN"), r.out());
    }
}
