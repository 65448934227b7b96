package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry send} and {@code ferry consume} against a real node: what is sent is read back, raw and by group. */
@ExtendWith(TestNode.class)
class SendAndConsumeCommandTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    private static String newTopic(int queues) {
        String topic = "send-cmd-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        Cli.Result r = Cli.against(TestNode.URL, "topic", "create", topic, "-q", Integer.toString(queues));
        assertEquals(0, r.exit(), r.err());
        return topic;
    }

    @Test
    void sendPrintsTheQueueOffsetAndMessageIdOfEachMessage() {
        String topic = newTopic(1);
        Cli.Result r = Cli.against(TestNode.URL, "send", topic, "first", "second");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.lines().size(), r.out());
        assertTrue(r.lines().get(0).matches("0/0 [0-9A-F]+"), r.out());
        assertTrue(r.lines().get(1).matches("0/1 [0-9A-F]+"), r.out());
    }

    @Test
    void sendWithoutMessagesSendsOneMessagePerLineOfStandardInput() {
        String topic = newTopic(1);
        Cli.Result r = Cli.withStdin("a\nb\nc\n", TestNode.URL, "send", topic);
        assertEquals(0, r.exit(), r.err());
        assertEquals(3, r.lines().size(), r.out());
        Cli.Result read = Cli.against(TestNode.URL, "consume", topic, "--queue", "0");
        assertEquals(List.of("0/0 a", "0/1 b", "0/2 c"), read.lines());
    }

    private static long stored(String topic) {
        long n = 0;
        for (JsonNode q : new FerryClient(URI.create(TestNode.URL)).get(FerryClient.topicPath(topic)).path("queueStates")) {
            n += q.path("maxOffset").asLong();
        }
        return n;
    }

    private static void awaitStored(String topic, long n, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (stored(topic) < n) {
            assertTrue(System.currentTimeMillis() < deadline, "not stored in " + millis + " ms: " + n + " messages, " + stored(topic) + " are");
            Thread.sleep(50);
        }
    }

    @Test
    void sendFromStandardInputSendsEachLineAsItArrivesNotAtEndOfInput() throws Exception {
        String topic = newTopic(1);
        java.io.PipedOutputStream stdin = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(stdin);
        java.util.concurrent.CompletableFuture<Cli.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.withStdin(in, TestNode.URL, "send", topic));
        stdin.write("a\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        awaitStored(topic, 1, 5_000);
        stdin.write("b\n".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        Cli.Result r = run.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.lines().size(), r.out());
    }

    @Test
    void sendFromStandardInputStoppedWithSigtermHasSentTheLinesItRead() throws Exception {
        String topic = newTopic(1);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FerryCommand.class.getName(), "send", topic, "--url", TestNode.URL)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var acks = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            p.getOutputStream().write("a\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            java.util.concurrent.CompletableFuture<String> firstAck = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return acks.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(firstAck.get(20, java.util.concurrent.TimeUnit.SECONDS).startsWith("0/0 "), "the first line is acknowledged while input stays open");
            p.getOutputStream().write("b\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            p.destroy(); // SIGTERM, standard input still open
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(2, stored(topic));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sendFileSendsItsBytesAsOneMessage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String topic = newTopic(1);
        Path file = dir.resolve("payload.txt");
        Files.writeString(file, "line one\nline two", StandardCharsets.UTF_8);
        Cli.Result r = Cli.against(TestNode.URL, "send", topic, "--file", file.toString());
        assertEquals(0, r.exit(), r.err());
        Cli.Result read = Cli.against(TestNode.URL, "consume", topic, "-q", "0", "--json");
        assertTrue(read.out().contains("\"body\":\"line one\\nline two\""), read.out());
    }

    @Test
    void sendingAMissingFileIsAUsageErrorWithoutAStackTrace() {
        String topic = newTopic(1);
        Cli.Result r = Cli.against(TestNode.URL, "send", topic, "--file", "target/no-such-file");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--file target/no-such-file does not exist or is not a file"), r.err());
        assertTrue(r.err().contains("Usage: ferry send"), r.err());
    }

    @Test
    void sendRefusesBothAQueueAndAShardingKey() {
        String topic = newTopic(2);
        Cli.Result r = Cli.against(TestNode.URL, "send", topic, "-q", "1", "-k", "key", "m");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("give --queue or --sharding-key, not both"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void tagsAndShardingKeyTravelWithTheMessage() {
        String topic = newTopic(4);
        Cli.Result a = Cli.against(TestNode.URL, "send", topic, "x", "--tags", "TagA", "--sharding-key", "customer-7");
        Cli.Result b = Cli.against(TestNode.URL, "send", topic, "y", "--tags", "TagB", "--sharding-key", "customer-7");
        String queueA = a.out().substring(0, a.out().indexOf('/'));
        String queueB = b.out().substring(0, b.out().indexOf('/'));
        assertEquals(queueA, queueB, "same sharding key, same queue");
        Cli.Result onlyA = Cli.against(TestNode.URL, "consume", topic, "-q", queueA, "--tags", "TagA");
        assertEquals(List.of(queueA + "/0 [\"TagA\"] x"), onlyA.lines());
    }

    @Test
    void consumeRawStartsAtTheGivenOffsetAndStopsAtCount() {
        String topic = newTopic(1);
        Cli.against(TestNode.URL, "send", topic, "m0", "m1", "m2", "m3");
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-q", "0", "--offset", "1", "--count", "2");
        assertEquals(List.of("0/1 m1", "0/2 m2"), r.lines());
        assertTrue(r.err().contains("next offset 3"), r.err());
    }

    @Test
    void consumeByGroupCommitsSoTheNextConsumeGetsOnlyNewMessages() {
        String topic = newTopic(2);
        Cli.against(TestNode.URL, "send", topic, "m1", "m2", "m3");
        Cli.Result first = Cli.against(TestNode.URL, "consume", topic, "--group", "g-" + topic, "--wait-ms", "200");
        assertEquals(3, first.lines().size(), first.out() + first.err());
        Cli.against(TestNode.URL, "send", topic, "m4");
        Cli.Result second = Cli.against(TestNode.URL, "consume", topic, "--group", "g-" + topic, "--wait-ms", "200");
        assertEquals(1, second.lines().size(), second.out() + second.err());
        assertTrue(second.lines().get(0).endsWith(" m4"), second.out());
    }

    @Test
    void consumeByGroupWithNoCommitLeavesTheGroupsOffsetsUncommitted() {
        String topic = newTopic(1);
        Cli.against(TestNode.URL, "send", topic, "m1", "m2");
        String group = "g-" + topic;
        Cli.Result first = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--no-commit", "--wait-ms", "200");
        assertEquals(List.of("0/0 m1", "0/1 m2"), first.lines());
        // It left the group on exit and committed nothing, so the group is gone and its next consumer reads it all again.
        Cli.Result second = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--no-commit", "--wait-ms", "200");
        assertEquals(List.of("0/0 m1", "0/1 m2"), second.lines());
    }

    @Test
    void consumeFollowStreamsRawMessagesIncludingThoseSentWhileItRuns() throws Exception {
        String topic = newTopic(1);
        Cli.against(TestNode.URL, "send", topic, "m0", "m1");
        var later = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Cli.against(TestNode.URL, "send", topic, "m2");
        });
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-q", "0", "--follow", "--count", "3");
        later.get();
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0/0 m0", "0/1 m1", "0/2 m2"), r.lines());
    }

    @Test
    void consumeFollowByGroupCommitsWhatItPrinted() {
        String topic = newTopic(2);
        Cli.against(TestNode.URL, "send", topic, "m1", "m2", "m3", "m4");
        String group = "gf-" + topic;
        Cli.Result r = Cli.against(TestNode.URL, "consume", topic, "-g", group, "--follow", "--count", "4");
        assertEquals(0, r.exit(), r.err());
        assertEquals(4, r.lines().size(), r.out());
        JsonNode queues = new FerryClient(URI.create(TestNode.URL)).get("/groups/" + group).path("topics").get(0).path("queues");
        assertEquals(0, queues.get(0).path("lag").asLong() + queues.get(1).path("lag").asLong(), queues.toString());
    }

    @Test
    void consumeFollowOfAnUnknownTopicIsAnError() {
        Cli.Result r = Cli.against(TestNode.URL, "consume", "no-such-topic-f", "-q", "0", "--follow");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("topic_not_found"), r.err());
    }

    @Test
    void consumeNeedsEitherAQueueOrAGroup() {
        Cli.Result r = Cli.against(TestNode.URL, "consume", "t");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Error: Missing required argument (specify one of these): (-q=ID | -g=GROUP)"), r.err());
    }
}
