package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.node.FerryNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The HTTP API of one real node over real sockets: the happy paths of docs/http-api.md and bad input. */
class HttpApiTest {

    static OneNode one;
    static FerryNode node;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("http-1", 25520, 0, "ferry.topic.auto-create-topic-enable = false\nferry.topic.max-message-size = 64 KiB\n"
                        + "ferry.node.attributes.zone = z1\nferry.consumer.session-timeout = 3s");
        node = one.node();
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String newTopic(int queues) {
        String t = "t" + topics.incrementAndGet();
        Http.Reply r = http.put("/topics/" + t, "{\"queues\": " + queues + "}");
        assertEquals(201, r.status(), r.toString());
        return t;
    }

    static void assertError(Http.Reply r, int status, String error) {
        assertEquals(status, r.status(), r.toString());
        JsonNode j = r.json();
        assertEquals(error, j.path("error").asText(), r.toString());
        assertFalse(j.path("detail").asText().isEmpty(), "an error says what was wrong: " + r);
    }

    static void assertHealthy() {
        assertEquals(200, http.get("/health").status());
    }

    // ---------------------------------------------------------------- health, topics

    @Test
    void healthReportsAnUpMemberWithNameAndPid() {
        JsonNode h = http.get("/health").json();
        assertEquals("ok", h.path("status").asText());
        assertEquals("http-1", h.path("node").asText());
        assertEquals("Up", h.path("cluster").asText());
        assertEquals(ProcessHandle.current().pid(), h.path("pid").asLong());
    }

    @Test
    void createTopicAnswers201ThenTheSameTopicWith200() {
        Http.Reply created = http.put("/topics/orders-a", "{\"queues\": 3, \"flush\": \"sync\"}");
        assertEquals(201, created.status(), created.toString());
        assertEquals(3, created.json().path("queueStates").size());
        assertEquals("sync", created.json().path("flush").asText());
        Http.Reply again = http.put("/topics/orders-a", "{\"queues\": 3, \"flush\": \"sync\"}");
        assertEquals(200, again.status(), again.toString());
        assertTrue(http.get("/topics").json().path("topics").toString().contains("orders-a"));
    }

    @Test
    void createWithOtherSettingsOfAnExistingTopicConflicts() {
        String t = newTopic(2);
        assertError(http.put("/topics/" + t, "{\"queues\": 5}"), 409, "topic_exists");
    }

    @Test
    void patchGrowsQueuesButNeverShrinksThem() {
        String t = newTopic(2);
        Http.Reply grown = http.patch("/topics/" + t + "/settings", "{\"queues\": 4}");
        assertEquals(200, grown.status(), grown.toString());
        assertEquals(4, grown.json().path("queues").asInt());
        assertError(http.patch("/topics/" + t + "/settings", "{\"queues\": 1}"), 400, "invalid_settings");
    }

    @Test
    void changingTheFlushModeMovesTheQueueToTheOtherJournalWithoutLosingMessages() {
        String t = newTopic(1);
        assertEquals(0, http.post("/topics/" + t + "/messages", "async".getBytes()).json().path("offset").asLong());
        assertEquals("sync", http.patch("/topics/" + t + "/settings", "{\"flush\": \"sync\"}").json().path("flush").asText());
        Http.Reply after = http.post("/topics/" + t + "/messages", "sync".getBytes());
        assertEquals(201, after.status(), after.toString());
        assertEquals(1, after.json().path("offset").asLong());
        assertEquals(2, http.get("/topics/" + t + "/queues/0/messages").json().path("messages").size());
    }

    @Test
    void deletedTopicIsGoneAndComesBackEmpty() {
        String t = newTopic(1);
        assertEquals(201, http.post("/topics/" + t + "/messages", "x".getBytes()).status());
        assertEquals(200, http.delete("/topics/" + t).status());
        assertError(http.get("/topics/" + t), 404, "topic_not_found");
        assertError(http.post("/topics/" + t + "/messages", "x".getBytes()), 404, "topic_not_found");
        assertEquals(201, http.put("/topics/" + t, "{\"queues\": 1}").status());
        JsonNode read = http.get("/topics/" + t + "/queues/0/messages?offset=0").json();
        assertEquals(0, read.path("messages").size(), "a re-created topic does not serve the old messages");
    }

    // ---------------------------------------------------------------- send and read

    @Test
    void sendOneAnswersMessageIdQueueAndOffsetAndTheMessageReadsBack() {
        String t = newTopic(1);
        Http.Reply sent = http.post("/topics/" + t + "/messages", "hello".getBytes(), "Ferry-Tags", "A,B", "Ferry-Keys", "k1");
        assertEquals(201, sent.status(), sent.toString());
        assertEquals(0, sent.json().path("queue").asInt());
        assertEquals(0, sent.json().path("offset").asLong());
        assertEquals(1, http.post("/topics/" + t + "/messages", "again".getBytes()).json().path("offset").asLong());
        JsonNode read = http.get("/topics/" + t + "/queues/0/messages?offset=0&max=10").json();
        assertEquals(2, read.path("messages").size());
        JsonNode m = read.path("messages").get(0);
        assertEquals(sent.json().path("messageId").asText(), m.path("messageId").asText());
        assertEquals("hello", m.path("body").asText());
        assertEquals("[\"A\",\"B\"]", m.path("tags").toString());
        assertEquals("[\"k1\"]", m.path("keys").toString());
        assertEquals(2, read.path("nextOffset").asLong());
    }

    @Test
    void binaryPayloadsReadBackAsBase64() {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", new byte[]{0, 1, 2, (byte) 0xff});
        JsonNode m = http.get("/topics/" + t + "/queues/0/messages").json().path("messages").get(0);
        assertEquals("AAEC/w==", m.path("bodyBase64").asText());
        assertTrue(m.path("body").isMissingNode());
    }

    @Test
    void theSameShardingKeyAlwaysGoesToTheSameQueue() {
        String t = newTopic(4);
        Set<Integer> queues = new HashSet<>();
        for (int i = 0; i < 10; i++)
            queues.add(http.post("/topics/" + t + "/messages", ("m" + i).getBytes(), "Ferry-Sharding-Key", "customer-7").json().path("queue").asInt());
        assertEquals(1, queues.size());
    }

    @Test
    void sendsWithoutAQueueOrKeyGoRoundRobinOverEachTopicsOwnQueues() {
        // one counter for every topic put every send to a on one queue and every send to b on the other
        String a = newTopic(2), b = newTopic(2);
        int[] toA = new int[2], toB = new int[2];
        for (int i = 0; i < 8; i++) {
            toA[http.post("/topics/" + a + "/messages", ("a" + i).getBytes()).json().path("queue").asInt()]++;
            toB[http.post("/topics/" + b + "/messages", ("b" + i).getBytes()).json().path("queue").asInt()]++;
        }
        assertEquals("[4, 4]", java.util.Arrays.toString(toA), "topic " + a);
        assertEquals("[4, 4]", java.util.Arrays.toString(toB), "topic " + b);
    }

    @Test
    void explicitQueueHeaderPicksTheQueue() {
        String t = newTopic(4);
        assertEquals(3, http.post("/topics/" + t + "/messages", "m".getBytes(), "Ferry-Queue", "3").json().path("queue").asInt());
    }

    @Test
    void aQueueHeaderThatIsNotAnIntegerIsAnInvalidHeader() {
        String t = newTopic(4);
        assertError(http.post("/topics/" + t + "/messages", "m".getBytes(), "Ferry-Queue", "x"), 400, "invalid_header");
    }

    @Test
    void aQueueHeaderBeyondTheTopicsQueuesIsAnInvalidHeader() {
        String t = newTopic(4);
        assertError(http.post("/topics/" + t + "/messages", "m".getBytes(), "Ferry-Queue", "4"), 400, "invalid_header");
    }

    @Test
    void batchSendAcknowledgesEveryMessageInRequestOrder() {
        String t = newTopic(2);
        Http.Reply r = http.post("/topics/" + t + "/messages:batch", """
                {"messages": [{"body": "a", "queue": 1}, {"bodyBase64": "AAE=", "queue": 1, "tags": "X,Y"},
                              {"body": "c", "queue": 0, "keys": ["k"], "properties": {"p": "v"}}]}""");
        assertEquals(201, r.status(), r.toString());
        JsonNode results = r.json().path("results");
        assertEquals(3, results.size());
        assertEquals(0, results.get(0).path("offset").asLong());
        assertEquals(1, results.get(1).path("offset").asLong());
        assertEquals(0, results.get(2).path("queue").asInt());
        JsonNode c = http.get("/topics/" + t + "/queues/0/messages").json().path("messages").get(0);
        assertEquals("v", c.path("properties").path("p").asText());
    }

    @Test
    void batchWithOneBadMessageStoresNothingAndNamesTheMessage() {
        String t = newTopic(1);
        Http.Reply r = http.post("/topics/" + t + "/messages:batch", "{\"messages\": [{\"body\": \"ok\"}, {\"tags\": [\"x\"]}]}");
        assertError(r, 400, "invalid_field");
        assertTrue(r.json().path("detail").asText().contains("messages[1]"), r.toString());
        assertEquals(0, http.get("/topics/" + t + "/queues/0/messages").json().path("messages").size());
    }

    @Test
    void ndjsonStreamAnswersOneLinePerInputLineInOrder() {
        String t = newTopic(1);
        String body = "{\"body\": \"s1\"}\n{\"body\":\n{\"body\": \"s3\", \"tags\": [\"T\"]}\n";
        Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/" + t + "/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.status(), r.toString());
        String[] lines = r.text().split("\n");
        assertEquals(3, lines.length, r.text());
        assertTrue(lines[0].contains("\"offset\":0"), lines[0]);
        assertTrue(lines[1].contains("\"error\":\"invalid_json\"") && lines[1].contains("\"line\":2"), lines[1]);
        assertTrue(lines[2].contains("\"offset\":1"), lines[2]);
    }

    @Test
    void tagFilterReturnsOnlyMessagesCarryingOneOfTheTags() {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", "a".getBytes(), "Ferry-Tags", "A");
        http.post("/topics/" + t + "/messages", "b".getBytes(), "Ferry-Tags", "B");
        http.post("/topics/" + t + "/messages", "c".getBytes(), "Ferry-Tags", "C");
        JsonNode read = http.get("/topics/" + t + "/queues/0/messages?tags=A%7C%7CC").json();
        assertEquals(2, read.path("messages").size());
        assertEquals("c", read.path("messages").get(1).path("body").asText());
        assertEquals(3, read.path("nextOffset").asLong());
    }

    @Test
    void longPollIsAnsweredWhenAMessageArrives() throws Exception {
        String t = newTopic(1);
        CompletableFuture<Http.Reply> poll = CompletableFuture.supplyAsync(() -> http.get("/topics/" + t + "/queues/0/messages?offset=0&waitMs=10000"));
        Thread.sleep(300);
        assertFalse(poll.isDone(), "the read waits while the queue is empty");
        http.post("/topics/" + t + "/messages", "late".getBytes());
        JsonNode read = poll.get().json();
        assertEquals("late", read.path("messages").get(0).path("body").asText());
    }

    // ---------------------------------------------------------------- consumer groups

    @Test
    void groupPullDeliversEverythingOnceThenResumesFromTheCommittedOffset() {
        String t = newTopic(2);
        for (int i = 0; i < 10; i++) http.post("/topics/" + t + "/messages", ("m" + i).getBytes());
        JsonNode first = http.post("/groups/g-" + t + "/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c1\", \"max\": 100}").json();
        assertEquals(10, first.path("messages").size(), first.toString());
        assertEquals("[0,1]", first.path("queues").toString());
        JsonNode second = http.post("/groups/g-" + t + "/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c1\"}").json();
        assertEquals(0, second.path("messages").size(), "a consumer's next pull continues after what it got");
        assertEquals(200, http.post("/groups/g-" + t + "/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 5}").status());
        JsonNode group = http.get("/groups/g-" + t).json();
        JsonNode q0 = group.path("topics").get(0).path("queues").get(0);
        assertEquals(5, q0.path("committed").asLong());
        assertEquals(0, q0.path("lag").asLong());
        assertEquals("c1", group.path("topics").get(0).path("consumers").get(0).path("consumer").asText());
    }

    @Test
    void queuesAreSharedAmongLiveConsumersAndReassignedWhenOneGoesSilent() throws Exception {
        String t = newTopic(4);
        String g = "/groups/share-" + t + "/pull";
        http.post(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}");
        JsonNode b = http.post(g, "{\"topic\": \"" + t + "\", \"consumer\": \"b\"}").json();
        JsonNode a = http.post(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}").json();
        assertEquals("[0,1]", a.path("queues").toString());
        assertEquals("[2,3]", b.path("queues").toString());
        Thread.sleep(3500); // b stays silent past the session timeout (3 s in this test)
        assertEquals("[0,1,2,3]", http.post(g, "{\"topic\": \"" + t + "\", \"consumer\": \"a\"}").json().path("queues").toString());
    }

    @Test
    void groupPullLongPollsUntilAMessageArrives() throws Exception {
        String t = newTopic(2);
        CompletableFuture<Http.Reply> pull = CompletableFuture.supplyAsync(() ->
                http.post("/groups/lp-" + t + "/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"waitMs\": 10000}"));
        Thread.sleep(500);
        assertFalse(pull.isDone());
        http.post("/topics/" + t + "/messages", "wake".getBytes(), "Ferry-Queue", "1");
        JsonNode r = pull.get().json();
        assertEquals("wake", r.path("messages").get(0).path("body").asText());
        assertEquals(1, r.path("messages").get(0).path("queue").asInt());
    }

    // ---------------------------------------------------------------- cluster, metrics

    @Test
    void clusterNodesShowAttributesAndDisk() throws Exception {
        JsonNode n = null;
        for (int i = 0; i < 50; i++) {
            n = http.get("/cluster/nodes").json().path("nodes").get(0);
            if (n.path("disk").has("totalBytes")) break;
            Thread.sleep(100);
        }
        assertEquals("http-1", n.path("name").asText());
        assertEquals("z1", n.path("attributes").path("zone").asText());
        assertTrue(n.path("disk").path("totalBytes").asLong() > 0, n.toString());
    }

    @Test
    void placementAndExplainShowWhereAQueueRunsAndWhy() {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", "x".getBytes());
        assertTrue(http.get("/cluster/placement").text().contains("\"entity\":\"" + t + "/0\""));
        Http.Reply explain = http.get("/cluster/allocation/explain?topic=" + t + "&queue=0&copy=0");
        assertEquals(200, explain.status(), explain.toString());
        assertEquals("http-1", explain.json().path("currentNode").asText());
        assertTrue(explain.json().path("decision").has("nodeDecisions"), explain.toString());
        assertFalse(explain.text().contains("\"yes\":") || explain.text().contains("\"no\":"),
                "a decider's answer is {decider, type, explanation}, without the core's isYes/isNo: " + explain);
    }

    @Test
    void placementNoLongerListsTheQueuesOfADeletedTopic() throws InterruptedException {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", "x".getBytes());
        assertTrue(http.get("/cluster/placement").text().contains("\"entity\":\"" + t + "/0\""));
        assertEquals(200, http.delete("/topics/" + t).status());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (http.get("/cluster/placement").text().contains("\"entity\":\"" + t + "/0\"")) {
            // the passivated master's shard stays allocated, empty: a drained node must not look busy because of it
            if (System.nanoTime() > deadline) fail("placement still lists " + t + "/0 10 s after the topic was deleted");
            Thread.sleep(100);
        }
    }

    @Test
    void dynamicClusterSettingsAreValidatedStoredAndReset() {
        Http.Reply set = http.put("/cluster/settings", "{\"persistent\": {\"ferry.allocation.total-queues-per-node\": 100}}");
        assertEquals(200, set.status(), set.toString());
        assertEquals("100", http.get("/cluster/settings").json().path("persistent").path("ferry.allocation.total-queues-per-node").asText());
        assertError(http.put("/cluster/settings", "{\"persistent\": {\"ferry.allocation.no-such-thing\": 1}}"), 400, "invalid_settings");
        assertEquals(200, http.put("/cluster/settings", "{\"persistent\": {\"ferry.allocation.total-queues-per-node\": null}}").status());
        assertTrue(http.get("/cluster/settings").json().path("persistent").isEmpty());
    }

    private static double sendFailures(String reason) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ferry_send_failures_total\\{reason=\"" + reason + "\",} (\\S+)$")
                .matcher(http.get("/metrics").text());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "message_too_large | single | ",
            "invalid_header    | single | x",
            "invalid_field     | batch  | {\"messages\": [{\"body\": \"a\", \"queue\": 9}]}",
            "invalid_json      | batch  | {\"messages\": 1}"})
    void aRefusedSendIsCountedInSendFailuresByReason(String reason, String kind, String body) {
        String t = newTopic(1);
        double before = sendFailures(reason);
        Http.Reply r = switch (reason) {
            case "message_too_large" -> http.post("/topics/" + t + "/messages", new byte[65 * 1024]);
            case "invalid_header" -> http.post("/topics/" + t + "/messages", "m".getBytes(), "Ferry-Queue", body);
            default -> http.post("/topics/" + t + "/messages:batch", body);
        };
        assertError(r, r.status(), reason);
        assertEquals(before + 1, sendFailures(reason), 0.0, "a " + kind + " send refused with " + reason);
    }

    @Test
    void aSendToAMissingTopicIsCountedInSendFailures() {
        double before = sendFailures("topic_not_found");
        assertError(http.post("/topics/no-such-topic-" + System.nanoTime() + "/messages", "m".getBytes()), 404, "topic_not_found");
        assertEquals(before + 1, sendFailures("topic_not_found"), 0.0);
    }

    @Test
    void metricsAreInPrometheusTextFormat() {
        String t = newTopic(1);
        http.post("/topics/" + t + "/messages", "x".getBytes());
        String text = http.get("/metrics").text();
        assertTrue(text.contains("ferry_messages_sent_total{topic=\"" + t + "\",} 1.0"), text);
        assertTrue(text.contains("# TYPE ferry_send_latency_seconds histogram"));
    }

    // ---------------------------------------------------------------- bad input

    @ParameterizedTest
    @ValueSource(strings = {"..%2Fx", "%2E%2E", "bad.name", "a%20b", "%00", "emoji%F0%9F%98%80",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void hostileTopicNamesAreRejectedWith400(String name) {
        assertError(http.put("/topics/" + name, "{}"), 400, "invalid_topic_name");
        assertError(http.post("/topics/" + name + "/messages", "x".getBytes()), 400, "invalid_topic_name");
        assertHealthy();
    }

    @Test
    void emptyTopicNameIsRejectedWith400() {
        assertError(http.put("/topics/", "{}"), 400, "invalid_topic_name");
        assertHealthy();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{bad                      | invalid_json  | malformed JSON",
            "{\"queues\": \"four\"}    | invalid_json  | queues",
            "{\"queues\": 4.5}         | invalid_json  | queues",
            "{\"queues\": [4]}         | invalid_json  | queues",
            "{\"settings\": [1]}       | invalid_json  | settings",
            "{\"queus\": 4}            | invalid_json  | unknown field 'queus'",
            "{\"flush\": \"never\"}    | invalid_field | flush",
            "{\"queues\": 0}           | invalid_settings | queues",
            "{\"replicas\": -1}        | invalid_settings | replicas",
            "[]                        | invalid_json  | expected",
            "{\"queues\": 1} {}        | invalid_json  | something follows the JSON object",
            "{\"settings\": {\"topic.allocation.require.zone\": 5}} | invalid_json | settings",
            "{\"settings\": {\"retention\": \"1d\"}} | invalid_settings | retention"})
    void malformedOrMistypedTopicSettingsAre400NamingTheField(String body, String error, String mention) {
        Http.Reply r = http.put("/topics/bad-input", body);
        assertError(r, 400, error);
        assertTrue(r.json().path("detail").asText().contains(mention), r.toString());
        assertHealthy();
    }

    @Test
    void oversizeMessageIs413AndTheNodeStaysHealthy() {
        String t = newTopic(1);
        assertError(http.post("/topics/" + t + "/messages", new byte[64 * 1024 + 1]), 413, "message_too_large");
        Http.Reply batch = http.post("/topics/" + t + "/messages:batch", "{\"messages\": [{\"body\": \"" + "x".repeat(70_000) + "\"}]}");
        assertError(batch, 413, "message_too_large");
        assertEquals(201, http.post("/topics/" + t + "/messages", new byte[64 * 1024]).status());
        assertHealthy();
    }

    @Test
    void unknownTopicIs404WithoutAutoCreate() {
        assertError(http.post("/topics/never-created/messages", "x".getBytes()), 404, "topic_not_found");
        assertError(http.get("/topics/never-created/queues/0/messages"), 404, "topic_not_found");
    }

    @Test
    void badReadParametersAre400() {
        String t = newTopic(1);
        assertError(http.get("/topics/" + t + "/queues/0/messages?offset=-1"), 400, "invalid_parameter");
        assertError(http.get("/topics/" + t + "/queues/0/messages?max=abc"), 400, "invalid_parameter");
        assertError(http.get("/topics/" + t + "/queues/0/messages?waitMs=999999999"), 400, "invalid_parameter");
        assertError(http.get("/topics/" + t + "/queues/x/messages"), 400, "invalid_parameter");
        assertError(http.get("/topics/" + t + "/queues/7/messages"), 404, "queue_not_found");
    }

    @Test
    void badGroupRequestsAre400() {
        String t = newTopic(1);
        assertError(http.post("/groups/g/pull", "{\"consumer\": \"c\"}"), 400, "invalid_field");
        assertError(http.post("/groups/g/pull", "{\"topic\": \"" + t + "\", \"consumer\": 7}"), 400, "invalid_json");
        assertError(http.post("/groups/g/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"max\": 0}"), 400, "invalid_field");
        assertError(http.post("/groups/bad.group/pull", "{\"topic\": \"" + t + "\", \"consumer\": \"c\"}"), 400, "invalid_group_name");
        assertError(http.post("/groups/g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0}"), 400, "invalid_field");
        assertError(http.post("/groups/g/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": \"1\"}"), 400, "invalid_json");
        assertHealthy();
    }

    @Test
    void commitBeyondTheQueuesMaxOffsetIsRefusedNamingTheMax() {
        String t = newTopic(1);
        for (int i = 0; i < 3; i++) http.post("/topics/" + t + "/messages", ("m" + i).getBytes());
        String g = "/groups/over-" + t + "/commit";
        assertEquals(200, http.post(g, "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 3}").status(), "the end of the queue is a valid commit");
        Http.Reply beyond = http.post(g, "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 4}");
        assertError(beyond, 400, "offset_out_of_range");
        assertTrue(beyond.json().path("detail").asText().contains("maxOffset (the offset the next message will get) is 3"), beyond.toString());
        assertEquals(3, http.get("/groups/over-" + t).json().path("topics").get(0).path("queues").get(0).path("committed").asLong(),
                "the refused commit changed nothing");
    }

    @Test
    void commitOnAnEmptyQueueAcceptsOnlyZero() {
        String t = newTopic(1);
        assertError(http.post("/groups/empty-" + t + "/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 1}"), 400, "offset_out_of_range");
        assertEquals(200, http.post("/groups/empty-" + t + "/commit", "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": 0}").status());
    }

    @Test
    void hostileReadParametersAreClear4xx() {
        String t = newTopic(2);
        String q = "/topics/" + t + "/queues/";
        assertError(http.get(q + "0/messages?offset=-9223372036854775808"), 400, "invalid_parameter");
        assertError(http.get(q + "0/messages?offset=99999999999999999999"), 400, "invalid_parameter");
        assertError(http.get(q + "0/messages?max=0"), 400, "invalid_parameter");
        assertError(http.get(q + "0/messages?max=-1"), 400, "invalid_parameter");
        assertError(http.get(q + "0/messages?max=2147483648"), 400, "invalid_parameter");
        assertError(http.get(q + "0/messages?waitMs=-1"), 400, "invalid_parameter");
        assertError(http.get(q + "-1/messages"), 400, "invalid_parameter");
        assertError(http.get(q + "99999999999/messages"), 400, "invalid_parameter");
        assertError(http.get(q + "2/messages"), 404, "queue_not_found");
        assertEquals(0, http.get(q + "0/messages?offset=9223372036854775807").json().path("messages").size(), "far past the end is just empty");
        assertHealthy();
    }

    @Test
    void hostilePullAndCommitBodiesAreClear4xx() {
        String t = newTopic(2);
        String pull = "/groups/hostile-" + t + "/pull";
        String commit = "/groups/hostile-" + t + "/commit";
        assertError(http.post(pull, "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"max\": -5}"), 400, "invalid_field");
        assertError(http.post(pull, "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"max\": 1000000}"), 400, "invalid_field");
        assertError(http.post(pull, "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"max\": 99999999999999}"), 400, "invalid_json");
        assertError(http.post(pull, "{\"topic\": \"" + t + "\", \"consumer\": \"c\", \"waitMs\": -1}"), 400, "invalid_field");
        Http.Reply longName = http.post(pull, "{\"topic\": \"" + t + "\", \"consumer\": \"" + "c".repeat(256) + "\"}");
        assertError(longName, 400, "invalid_field");
        assertTrue(longName.json().path("detail").asText().contains("256 characters long"), "says it is too long, not missing: " + longName);
        assertError(http.post(pull, "{\"topic\": \"no-such-topic\", \"consumer\": \"c\"}"), 404, "topic_not_found");
        assertError(http.post(commit, "{\"topic\": \"" + t + "\", \"queue\": -1, \"offset\": 0}"), 400, "invalid_field");
        assertError(http.post(commit, "{\"topic\": \"" + t + "\", \"queue\": 2, \"offset\": 0}"), 404, "queue_not_found");
        assertError(http.post(commit, "{\"topic\": \"" + t + "\", \"queue\": 0, \"offset\": -1}"), 400, "invalid_field");
        assertError(http.post(commit, "{\"topic\": \"no-such-topic\", \"queue\": 0, \"offset\": 0}"), 404, "topic_not_found");
        assertHealthy();
    }

    @Test
    void aUriOverTheLengthLimitIsAJson414() {
        String t = newTopic(1);
        assertError(http.get("/topics/" + t + "/queues/0/messages?tags=" + "A%7C%7C".repeat(2000)), 414, "uri_too_long");
        assertHealthy();
    }

    @Test
    void aGroupThatNeverPulledOrCommittedIs404() {
        assertError(http.get("/groups/never-seen-group"), 404, "group_not_found");
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() {
        assertError(http.get("/nope"), 404, "not_found");
        assertError(http.delete("/health"), 405, "method_not_allowed");
    }

    @Test
    void binaryGarbageAsJsonIs400() {
        byte[] garbage = new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, '{'};
        assertError(http.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/garbage"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(garbage))), 400, "invalid_json");
        assertHealthy();
        assertEquals(StandardCharsets.UTF_8, StandardCharsets.UTF_8);
    }
}
