package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry cluster drain} against a real single-node cluster (where nothing can move away). */
@ExtendWith(TestNode.class)
class DrainCommandTest {

    private static JsonNode persistentSettings() {
        return new FerryClient(URI.create(TestNode.URL)).get("/cluster/settings").path("persistent");
    }

    @AfterEach
    void undrain() {
        Cli.against(TestNode.URL, "cluster", "drain", "--cancel", "cli-test");
    }

    @Test
    void drainAddsTheNodeToExcludeNameAndCancelTakesItOut() {
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "drain", "cli-test");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ferry.allocation.exclude._name = cli-test"), r.out());
        assertEquals("cli-test", persistentSettings().path("ferry.allocation.exclude._name").asText());

        Cli.Result cancel = Cli.against(TestNode.URL, "cluster", "drain", "--cancel", "cli-test");
        assertEquals(0, cancel.exit(), cancel.err());
        assertTrue(persistentSettings().path("ferry.allocation.exclude._name").isMissingNode(), persistentSettings().toString());
    }

    @Test
    void drainOfANodeThatIsNotAMemberIsRefusedAndChangesNothing() {
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "drain", "no-such-node");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no node named 'no-such-node' in the cluster (members: cli-test)"), r.err());
        assertTrue(persistentSettings().path("ferry.allocation.exclude._name").isMissingNode(), persistentSettings().toString());
    }

    @Test
    void drainWaitGivesUpAndNamesWhatStillRunsWhenNoOtherNodeMayTakeIt() {
        String topic = "drain-" + System.nanoTime() % 100_000;
        Cli.against(TestNode.URL, "topic", "create", topic, "-q", "1");
        Cli.Result r = Cli.against(TestNode.URL, "cluster", "drain", "cli-test", "--wait", "1");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("cli-test still runs"), r.out());
        assertTrue(r.err().contains("cli-test still runs ") && r.err().contains(" after 1 s"), r.err());
        assertTrue(Cli.against(TestNode.URL, "cluster", "placement").out().contains(topic + "/0"), "the master stays: no other node");
    }
}
