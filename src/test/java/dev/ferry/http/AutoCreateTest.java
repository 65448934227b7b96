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
}
