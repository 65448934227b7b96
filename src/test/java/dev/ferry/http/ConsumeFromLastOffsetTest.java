package dev.ferry.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code ferry.consumer.consume-from-where = last-offset} (RocketMQ CONSUME_FROM_LAST_OFFSET): a group with nothing
 * committed starts at the end of each queue, so it gets only what is sent after it first pulled.
 */
class ConsumeFromLastOffsetTest {

    private static OneNode one;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("from-last-1", 25533, 0, "ferry.consumer.consume-from-where = last-offset");
    }

    @AfterAll
    static void stop() {
        one.close();
    }

    private static void send(String topic, String body) {
        Http.Reply r = one.http().post("/topics/" + topic + "/messages", body.getBytes(StandardCharsets.UTF_8), "Ferry-Queue", "0");
        assertEquals(201, r.status(), r.text());
    }

    @Test
    void aNewGroupSkipsWhatWasSentBeforeItsFirstPullAndGetsWhatComesAfter() {
        assertEquals(201, one.http().put("/topics/from-last", "{\"queues\": 1}").status());
        send("from-last", "old-1");
        send("from-last", "old-2");
        Http.Reply first = one.http().post("/groups/late/pull", "{\"topic\": \"from-last\", \"consumer\": \"c1\", \"max\": 10}");
        assertEquals(200, first.status(), first.text());
        assertEquals(0, first.json().path("messages").size(), first.text());
        send("from-last", "new-1");
        Http.Reply second = one.http().post("/groups/late/pull", "{\"topic\": \"from-last\", \"consumer\": \"c1\", \"max\": 10}");
        assertEquals(List.of("new-1"), second.json().path("messages").findValuesAsText("body"), second.text());
    }
}
