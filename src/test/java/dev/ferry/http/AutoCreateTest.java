package dev.ferry.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node with the default {@code auto-create-topic-enable = true}: a send to a topic that does not exist creates it
 * with the topic defaults and is acknowledged, as RocketMQ's autoCreateTopicEnable does; a topic looked up and not
 * found can be created right away.
 */
class AutoCreateTest {

    private static OneNode one;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("auto-1", 25530, 0, "");
    }

    @AfterAll
    static void stop() {
        one.close();
    }

    @Test
    void aSendToAnUnknownTopicCreatesItWithTheDefaultsAndIsAcknowledged() {
        Http.Reply sent = one.http().post("/topics/auto-made/messages", "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(201, sent.status(), sent.text());
        assertEquals(0, sent.json().path("offset").asLong(), sent.text());

        Http.Reply topic = one.http().get("/topics/auto-made");
        assertEquals(200, topic.status(), topic.text());
        assertEquals(4, topic.json().path("queues").asInt(), "default-topic-queue-nums");
    }

    @Test
    void aTopicNotFoundCanBeCreatedAtOnce() {
        assertEquals(404, one.http().get("/topics/looked-up-first").status());
        Http.Reply created = one.http().put("/topics/looked-up-first", "{\"queues\": 2}");
        assertEquals(201, created.status(), created.text());
    }

    @Test
    void aBatchToAnUnknownTopicCreatesItToo() {
        Http.Reply sent = one.http().post("/topics/auto-batch/messages:batch", "{\"messages\": [{\"body\": \"a\"}, {\"body\": \"b\"}]}");
        assertEquals(201, sent.status(), sent.text());
        assertEquals(2, sent.json().path("results").size(), sent.text());
    }

    @Test
    void aSingleSendToAQueueTheTopicWouldNotHaveCreatesNothing() {
        Http.Reply sent = one.http().post("/topics/auto-bad-queue/messages", "x".getBytes(StandardCharsets.UTF_8), "Ferry-Queue", "10");
        assertEquals(400, sent.status(), sent.text());
        assertEquals(404, one.http().get("/topics/auto-bad-queue").status(), "a refused send created the topic");
    }

    @Test
    void aSingleSendOverTheDefaultSizeLimitCreatesNothing() {
        Http.Reply sent = one.http().post("/topics/auto-too-big/messages", new byte[4 * 1024 * 1024 + 1]);
        assertEquals(413, sent.status(), sent.text());
        assertEquals(404, one.http().get("/topics/auto-too-big").status(), "a refused send created the topic");
    }

    @Test
    void aRefusedBatchCreatesNothing() {
        Http.Reply sent = one.http().post("/topics/auto-bad-batch/messages:batch", "{\"messages\": [{\"body\": \"a\"}, {\"body\": \"b\", \"queue\": 99}]}");
        assertEquals(400, sent.status(), sent.text());
        assertEquals(404, one.http().get("/topics/auto-bad-batch").status(), "a refused batch created the topic");
    }

    @Test
    void aStreamWhoseEveryLineIsRefusedCreatesNothingAndAnswersEachLine() {
        Http.Reply sent = ndjson("auto-bad-stream", "{\"body\": \"a\", \"queue\": 99}\n{\"bodyBase64\": \"*\"}\n");
        assertEquals(200, sent.status(), sent.text());
        String[] lines = sent.text().split("\n");
        assertEquals(2, lines.length, sent.text());
        assertEquals(true, lines[0].contains("\"invalid_field\"") && lines[0].contains("queue 99"), lines[0]);
        assertEquals(true, lines[1].contains("\"invalid_field\"") && lines[1].contains("base64"), lines[1]);
        assertEquals(404, one.http().get("/topics/auto-bad-stream").status(), "a stream of refused lines created the topic");
    }

    @Test
    void aStreamWithOneGoodLineCreatesTheTopicAndStoresIt() {
        Http.Reply sent = ndjson("auto-mixed-stream", "{\"body\": \"a\", \"queue\": 99}\n{\"body\": \"b\", \"queue\": 1}\n");
        String[] lines = sent.text().split("\n");
        assertEquals(true, lines[0].contains("invalid_field"), sent.text());
        assertEquals(true, lines[1].contains("\"offset\":0"), sent.text());
        assertEquals(200, one.http().get("/topics/auto-mixed-stream").status());
    }

    private static Http.Reply ndjson(String topic, String lines) {
        return one.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(one.http().base() + "/topics/" + topic + "/messages:batch"))
                .header("Content-Type", "application/x-ndjson").POST(java.net.http.HttpRequest.BodyPublishers.ofString(lines)));
    }
}
