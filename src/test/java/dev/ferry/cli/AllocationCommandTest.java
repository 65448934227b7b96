package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

class AllocationCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new AllocationCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String resource(String name) {
        return Path.of("src/test/resources/simulations", name).toString();
    }

    private Run simulateText(String json) throws Exception {
        Path file = dir.resolve("sim.json");
        Files.writeString(file, json);
        return run("simulate", file.toString());
    }

    @Test
    void simulatePrintsOneResultPerStep() throws Exception {
        Run r = run("simulate", resource("node-joins.json"));
        assertEquals(0, r.exit(), r.err());
        JsonNode steps = r.json().get("steps");
        assertEquals(5, steps.size());
        assertEquals("settle", steps.get(0).get("do").asText());
        assertEquals(8, steps.get(0).get("copies").size());
        assertEquals(0, steps.get(0).get("unassigned").size());
        JsonNode copy = steps.get(0).get("copies").get(0);
        assertEquals("orders", copy.get("topic").asText());
        assertEquals("master", copy.get("role").asText());
        assertEquals("STARTED", copy.get("state").asText());
        assertTrue(copy.has("relocatingTo"));
        assertTrue(steps.get(3).get("moves").asInt() >= 2);
        JsonNode explain = steps.get(4).get("explain");
        assertEquals("started", explain.get("current_state").asText());
        assertTrue(explain.get("node_allocation_decisions").size() >= 3);
    }

    @Test
    void everyNodeOfTheSettledClusterCarriesTwoCopiesAndZonesAreRespected() throws Exception {
        JsonNode last = run("simulate", resource("node-joins.json")).json().get("steps").get(3);
        int[] perNode = new int[5];
        for (JsonNode c : last.get("copies")) {
            perNode[Integer.parseInt(c.get("node").asText().substring(1))]++;
        }
        assertEquals(List.of(2, 2, 2, 2), List.of(perNode[1], perNode[2], perNode[3], perNode[4]));
    }

    @Test
    void aLostMasterIsPromotedAndItsReplicaRebuilt() throws Exception {
        JsonNode steps = run("simulate", resource("node-leaves.json")).json().get("steps");
        JsonNode removed = steps.get(0);
        assertEquals("NODE_LEFT", removed.get("unassigned").get(0).get("reason").asText());
        JsonNode round = steps.get(1);
        assertEquals("n2", round.get("copies").get(0).get("node").asText());
        assertEquals("STARTED", round.get("copies").get(0).get("state").asText(), "failover: the promoted master is active at once");
        JsonNode settled = steps.get(3);
        assertEquals(0, settled.get("unassigned").size());
        assertEquals(2, settled.get("copies").size());
    }

    @Test
    void floodStageBlocksAndHighReleases() throws Exception {
        JsonNode steps = run("simulate", resource("flood-stage.json")).json().get("steps");
        assertEquals("[\"logs\"]", steps.get(1).get("readOnlyTopics").toString());
        assertEquals("[\"logs\"]", steps.get(3).get("readOnlyTopics").toString(), "still above the high watermark");
        assertEquals("[]", steps.get(5).get("readOnlyTopics").toString());
    }

    @Test
    void refusedStepsCarryAnErrorButTheRunSucceeds() throws Exception {
        Run r = run("simulate", resource("settings-and-topics.json"));
        assertEquals(0, r.exit(), r.err());
        JsonNode steps = r.json().get("steps");
        assertEquals("this action would add [2] queue copies, but this cluster currently has [4]/[4] maximum queue copies open; "
                + "raise [ferry.max-queue-copies-per-node] or add nodes", steps.get(0).get("error").asText());
        assertTrue(steps.get(2).get("error").asText().contains("this action would add [1] queue copies"));
        assertTrue(!steps.get(4).has("error"));
        assertEquals(3, steps.get(5).get("unassigned").size(), "enable=none leaves c and a's replicas unassigned");
        assertTrue(steps.get(6).get("error").asText().startsWith("setting [ferry.allocation.enable] must be one of"));
        assertEquals(3, steps.get(8).get("copies").size(), "the topic setting overrides the cluster's none for c only");
        assertEquals(1, steps.get(9).get("copies").size());
        assertEquals("no node [n9]", steps.get(10).get("error").asText());
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(Path.of(resource("node-leaves.json")))));
            Run r = run("simulate", "-", "--compact");
            assertEquals(0, r.exit(), r.err());
            assertEquals(1, r.out().trim().split("\n").length);
            assertEquals(4, r.json().get("steps").size());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aMalformedFileNamesTheFieldAndExitsWithTwo() {
        Run r = run("simulate", resource("malformed-disk.json"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nodes[0].disk.totalBytes: expected an integer, was string \"lots\""), r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"nodes\": [{\"name\": \"n1\"}], \"steps\": [{\"do\": \"fly\"}]}|steps[0].do: unknown step [fly]",
            "{\"nodes\": [{\"host\": \"h\"}]}|nodes[0].name: missing",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 0}]}|topics[0].queues: must be >= 1, was [0]",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1, \"settings\": {\"topic.allocation.enable\": \"x\"}}]}|topics[0].settings.topic.allocation.enable: setting [topic.allocation.enable] must be one of",
            "{\"nodes\": [{\"name\": \"n1\"}], \"topics\": [{\"name\": \"t\", \"queues\": 1}], \"copies\": [{\"topic\": \"t\", \"queue\": 0, \"copy\": 0, \"node\": \"n2\"}]}|copies[0].node: unknown node [n2]",
            "{\"nodes\": [{\"name\": \"n1\"}], \"topics\": [{\"name\": \"t\", \"queues\": 1}], \"copies\": [{\"topic\": \"t\", \"queue\": 0, \"copy\": 1, \"role\": \"master\", \"node\": \"n1\"}]}|copies[0].role: copy [1] is the queue's replica",
            "{\"nodes\": [{\"name\": \"n1\"}], \"settings\": {\"ferry.allocation.disk.watermark.low\": \"99%\"}}|settings.ferry.allocation.disk.watermark.low: low disk watermark [99%] more than high disk watermark [90%]",
            "{\"nodes\": [{\"name\": \"n1\", \"colour\": \"red\"}]}|nodes[0].colour: unknown field",
            "{\"nodes\": [{\"name\": \"n1\"}], \"steps\": [{\"do\": \"diskUsage\", \"node\": \"n1\", \"totalBytes\": 10, \"usedBytes\": 11}]}|steps[0].usedBytes: must not exceed totalBytes [10], was [11]",
            "[1, 2]|$: expected a JSON object, was array",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1, \"settings\": {\"topic.allocation.tier-preference\": \"data_cold\"}}]}|topics[0].settings.topic.allocation.tier-preference: setting [topic.allocation.tier-preference] must list tiers among [hot, warm, cold], was [data_cold]; Ferry names tiers without",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1, \"settings\": {\"topic.allocation.tier-preference\": \"warm,bogus\"}}]}|topics[0].settings.topic.allocation.tier-preference: setting [topic.allocation.tier-preference] must list tiers among [hot, warm, cold], was [bogus]",
            "{\"nodes\": [{\"name\": \"n1\", \"ip\": \"999.1.1.1\"}]}|nodes[0].ip: expected an IPv4 or IPv6 address, was [999.1.1.1]",
            "{\"nodes\": [{\"name\": \"n1\", \"ip\": \"example.com\"}]}|nodes[0].ip: expected an IPv4 or IPv6 address",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1, \"settings\": {\"ferry.allocation.same-queue.host\": true}}]}|topics[0].settings.ferry.allocation.same-queue.host: [ferry.allocation.same-queue.host] is a cluster setting",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1}], \"steps\": [{\"do\": \"setTopicSettings\", \"topic\": \"t\", \"settings\": {\"ferry.allocation.enable\": \"none\"}}]}|steps[0].settings.ferry.allocation.enable: [ferry.allocation.enable] is a cluster setting",
            "{\"nodes\": [], \"steps\": [{\"do\": \"createTopic\", \"topic\": {\"name\": \"u\", \"queues\": 1, \"settings\": {\"topic.allocation.tier-preference\": \"frozen\"}}}]}|steps[0].topic.settings.topic.allocation.tier-preference: setting",
            "{\"nodes\": [], \"topics\": [{\"name\": \"t\", \"queues\": 1, \"replicas\": 2, \"settings\": {\"topic.replicas\": 0}}]}|topics[0].replicas: [2] conflicts with settings.topic.replicas [0]",
            "{\"nodes\": [{\"name\": \"n1\"}], \"topics\": [{\"name\": \"t\", \"queues\": 1}], \"copies\": [{\"topic\": \"t\", \"queue\": 0, \"copy\": 0, \"node\": \"n1\", \"failedAttempts\": 1}]}|copies[0].failedAttempts: only an UNASSIGNED copy has failed attempts",
            "{\"nodes\": [{\"name\": \"n1\"}], \"topics\": [{\"name\": \"t\", \"queues\": 1}], \"copies\": [{\"topic\": \"t\", \"queue\": 0, \"copy\": 0, \"state\": \"UNASSIGNED\", \"failedAttempts\": -1}]}|copies[0].failedAttempts: must be >= 0",
            "{\"nodes\": [}|$: not valid JSON at line 1"})
    void malformedInputIsRejectedNamingTheField(String json, String message) throws Exception {
        Run r = simulateText(json);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void validAddressesAndAgreeingReplicaCountsAreAccepted() throws Exception {
        Run r = simulateText("{\"nodes\": [{\"name\": \"n1\", \"ip\": \"10.0.0.1\"}, {\"name\": \"n2\", \"ip\": \"fe80::1\"}], "
                + "\"topics\": [{\"name\": \"t\", \"queues\": 1, \"replicas\": 1, \"settings\": {\"topic.replicas\": 1, "
                + "\"topic.allocation.tier-preference\": \"warm,hot\"}}], \"steps\": [{\"do\": \"settle\"}]}");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.json().get("steps").get(0).get("copies").size());
    }

    /** failedAttempts lets a file exercise the max_retry decider (topic.allocation.max-retries). */
    @Test
    void failedAttemptsOfAnUnassignedCopyCountAgainstMaxRetries() throws Exception {
        Run r = simulateText("{\"nodes\": [{\"name\": \"n1\"}, {\"name\": \"n2\"}], \"topics\": [{\"name\": \"t\", \"queues\": 2, "
                + "\"replicas\": 1, \"settings\": {\"topic.allocation.max-retries\": 3}}], \"copies\": ["
                + "{\"topic\": \"t\", \"queue\": 0, \"copy\": 0, \"node\": \"n1\"}, {\"topic\": \"t\", \"queue\": 1, \"copy\": 0, \"node\": \"n1\"}, "
                + "{\"topic\": \"t\", \"queue\": 0, \"copy\": 1, \"state\": \"UNASSIGNED\", \"failedAttempts\": 3}, "
                + "{\"topic\": \"t\", \"queue\": 1, \"copy\": 1, \"state\": \"UNASSIGNED\", \"failedAttempts\": 2}], "
                + "\"steps\": [{\"do\": \"settle\"}, {\"do\": \"explain\", \"topic\": \"t\", \"queue\": 0, \"copy\": 1}]}");
        assertEquals(0, r.exit(), r.err());
        JsonNode settled = r.json().get("steps").get(0);
        assertEquals(3, settled.get("copies").size(), settled.toString());
        assertEquals(1, settled.get("unassigned").size(), settled.toString());
        JsonNode stuck = settled.get("unassigned").get(0);
        assertEquals(0, stuck.get("queue").asInt());
        assertEquals("ALLOCATION_FAILED", stuck.get("reason").asText());
        assertTrue(stuck.get("explanation").asText().startsWith("[max_retry]"), stuck.toString());
        JsonNode explain = r.json().get("steps").get(1).get("explain");
        assertEquals(3, explain.get("unassigned_info").get("failed_allocation_attempts").asInt());
    }

    @Test
    void aMissingFileIsReportedWithExitTwo() {
        Run r = run("simulate", dir.resolve("nope.json").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void allocationWithoutSubcommandPrintsUsage() {
        Run r = run();
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("simulate"), r.out());
    }

    @Test
    void everyStepKindOfTheContractIsAccepted() throws Exception {
        List<String> steps = new ArrayList<>(List.of("{\"do\": \"round\"}", "{\"do\": \"completeRecoveries\"}", "{\"do\": \"settle\"}",
                "{\"do\": \"addNode\", \"node\": {\"name\": \"n2\", \"attributes\": {\"zone\": \"b\"}}}", "{\"do\": \"removeNode\", \"name\": \"n2\"}",
                "{\"do\": \"setSettings\", \"settings\": {\"ferry.allocation.awareness.attributes\": \"zone\", \"ferry.allocation.same-queue.host\": true}}",
                "{\"do\": \"setTopicSettings\", \"topic\": \"t\", \"settings\": {\"topic.allocation.total-queues-per-node\": 3}}",
                "{\"do\": \"diskUsage\", \"node\": \"n1\", \"totalBytes\": 100, \"usedBytes\": 10}",
                "{\"do\": \"createTopic\", \"topic\": {\"name\": \"u\", \"queues\": 1, \"replicas\": 0}}",
                "{\"do\": \"deleteTopic\", \"name\": \"u\"}", "{\"do\": \"explain\", \"topic\": \"t\", \"queue\": 0, \"copy\": 0}"));
        Run r = simulateText("{\"nodes\": [{\"name\": \"n1\", \"attributes\": {\"zone\": \"a\"}}], \"topics\": [{\"name\": \"t\", \"queues\": 2, "
                + "\"replicas\": 0}], \"steps\": [" + String.join(",", steps) + "]}");
        assertEquals(0, r.exit(), r.err());
        JsonNode out = r.json().get("steps");
        assertEquals(steps.size(), out.size());
        for (JsonNode s : out) {
            assertTrue(!s.has("error"), s.toString());
        }
    }

    @Test
    void theCompactFlagPrintsOneLine() {
        Run r = run("simulate", resource("node-leaves.json"), "--compact");
        assertEquals(1, r.out().trim().split("\n").length);
        assertTrue(new String(r.out().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).startsWith("{\"steps\":["));
    }
}
