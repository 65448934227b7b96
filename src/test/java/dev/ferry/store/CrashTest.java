package dev.ferry.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The crash test: a writer in a separate JVM appends SYNC groups and reports each completed one on stdout; it is
 * killed with SIGKILL at a random moment, the store is reopened here, and every write the writer saw complete must
 * be there intact, every group whole, and nothing beyond a torn record served. Many rounds on one store, so each
 * round also recovers from the previous round's crash.
 */
class CrashTest {

    static final int ROUNDS = 20;

    @TempDir
    Path dir;

    /** Small segments so rounds roll segments and the kill can land anywhere, SYNC throughout. */
    static StoreConfig config(Path dir) {
        return StoreConfig.defaults(dir).withSegmentSize(256 * 1024).withIndexEntriesPerFile(64);
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Random random = new Random(42);
        Map<String, Long> acknowledged = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int rounds = 0;
        int truncatedRounds = 0;
        while (rounds < ROUNDS && System.nanoTime() < deadline) {
            rounds++;
            Map<String, Long> seen = runAndKill(random.nextInt(400) + 20);
            seen.forEach((id, seq) -> acknowledged.merge(id, seq, Math::max));
            try (MessageStore store = MessageStore.open(config(dir), Clock.systemUTC())) {
                RecoveryReport report = store.recoveryReport();
                assertFalse(report.cleanShutdown(), "round " + rounds + ": a killed writer cannot have shut down cleanly");
                if (report.truncation().isPresent()) {
                    truncatedRounds++;
                }
                for (int w = 0; w < CrashWriter.WRITERS; w++) {
                    String id = "crash-" + w;
                    verify(store, id, acknowledged.getOrDefault(id, 0L), rounds);
                }
            }
        }
        assertTrue(rounds >= 5, "only " + rounds + " rounds ran in the time bound");
        assertTrue(acknowledged.values().stream().mapToLong(Long::longValue).sum() > 0, "the writer never completed a write");
        System.out.println("crash test: " + rounds + " rounds, " + truncatedRounds + " cut a partial group or torn record, acknowledged " + acknowledged);
    }

    /** Every sequence nr from 1 to highest is there with its exact payload, each group whole, highest &gt;= acknowledged. */
    private static void verify(MessageStore store, String id, long acknowledged, int round) throws Exception {
        long highest = store.highestSequence(id);
        assertTrue(highest >= acknowledged, "round " + round + ": " + id + " acknowledged " + acknowledged + " but only " + highest + " survived");
        List<StoredRecord> records = StoreTesting.readAll(store, id);
        assertEquals(highest, records.size(), "round " + round + ": " + id + " has holes");
        long expected = 1;
        for (StoredRecord r : records) {
            assertEquals(expected, r.sequenceNr());
            String text = new String(r.payload(), StandardCharsets.UTF_8);
            String[] group = text.substring(text.indexOf(" group ") + 7, text.indexOf(' ', text.indexOf(" group ") + 7)).split("-");
            long first = Long.parseLong(group[0]);
            long last = Long.parseLong(group[1]);
            assertArrayEquals(CrashWriter.payload(id, r.sequenceNr(), first, last), r.payload(), "round " + round + ": " + id + "#" + r.sequenceNr());
            assertTrue(last <= highest, "round " + round + ": " + id + " group " + first + "-" + last + " survived only in part");
            expected++;
        }
    }

    /** Starts the writer, lets it write for {@code millis} after it is ready, kills it with SIGKILL, returns what it acknowledged. */
    private Map<String, Long> runAndKill(int millis) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Map<String, Long> seen = new ConcurrentHashMap<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("ready")) {
                        ready.countDown();
                    } else if (line.startsWith("ok ")) {
                        String[] parts = line.split(" ");
                        seen.merge(parts[1], Long.parseLong(parts[3]), Math::max);
                    }
                }
            } catch (Exception e) {
                // the pipe closes when the process dies
            }
        });
        reader.start();
        assertTrue(ready.await(30, TimeUnit.SECONDS), "the writer did not start");
        Thread.sleep(millis);
        process.destroyForcibly(); // SIGKILL on Linux
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, process.exitValue(), "the writer must die by SIGKILL, not exit by itself");
        reader.join(10_000);
        return seen;
    }
}
