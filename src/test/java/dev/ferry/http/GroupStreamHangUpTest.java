package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client hanging up on a group stream (docs/http-api.md, "Consumer groups"): the stream stops at once and its
 * consumer leaves the group at once, as a Kafka consumer's close sends LeaveGroup. The node runs with the production
 * session timeout and keep-alive, so neither a silence timeout nor a keep-alive write can stand in for the hang-up.
 */
class GroupStreamHangUpTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static OneNode one;
    static Http http;
    static final AtomicInteger topics = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("hangup-1", 26301, 0, "ferry.consumer.session-timeout = 30s\nferry.http.stream-keep-alive = 15s");
        http = one.http();
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    static String newTopic(int queues) {
        String t = "h" + topics.incrementAndGet();
        assertEquals(201, http.put("/topics/" + t, "{\"queues\": " + queues + "}").status());
        return t;
    }

    static double openGroupStreams() {
        Matcher m = Pattern.compile("^ferry_consume_streams\\{[^}]*kind=\"group\"[^}]*} (\\S+)$", Pattern.MULTILINE)
                .matcher(http.get("/metrics").text());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static JsonNode pull(String group, String topic, String consumer) {
        Http.Reply r = http.post("/groups/" + group + "/pull", "{\"topic\": \"" + topic + "\", \"consumer\": \"" + consumer + "\"}");
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    /** Opens a stream for {@code consumer} and waits until the group counts it as a member. */
    static StreamClient openStream(String group, String topic, String consumer) throws Exception {
        StreamClient s = new StreamClient(one.node().httpPort(), "/groups/" + group + "/stream?topic=" + topic + "&consumer=" + consumer, 0);
        assertEquals(200, s.status());
        for (int i = 0; i < 50 && !http.get("/groups/" + group).text().contains("\"" + consumer + "\""); i++) Thread.sleep(100);
        return s;
    }

    @Test
    void hangingUpEndsTheStreamAtOnce() throws Exception {
        String t = newTopic(1);
        String g = "stop-" + t;
        double before = openGroupStreams();
        StreamClient s = openStream(g, t, "s1");
        assertEquals(before + 1, openGroupStreams(), "the stream is open");
        s.close();
        for (int i = 0; i < 20 && openGroupStreams() > before; i++) Thread.sleep(100);
        assertEquals(before, openGroupStreams(), "2 s after the hang-up the stream has ended (not a keep-alive or a long poll later)");
    }

    @Test
    void hangingUpHandsTheStreamsQueuesToTheOtherConsumersAtOnce() throws Exception {
        String t = newTopic(2);
        String g = "leave-" + t;
        pull(g, t, "a");
        StreamClient s = openStream(g, t, "s1");
        assertEquals("[0]", pull(g, t, "a").path("queues").toString(), "a and the stream's s1 share the queues");
        s.close();
        String queues = "";
        for (int i = 0; i < 20 && !queues.equals("[0,1]"); i++) {
            Thread.sleep(100);
            queues = pull(g, t, "a").path("queues").toString();
        }
        assertEquals("[0,1]", queues, "2 s after the hang-up (the session timeout is 30 s) a owns every queue");
        JsonNode consumers = http.get("/groups/" + g).json().path("topics").get(0).path("consumers");
        assertEquals(1, consumers.size(), "s1 left the group: " + consumers);
    }

    @Test
    void aStreamWhoseClientAskedToCloseTheConnectionAfterwardsIsNotTakenForAHangUp() throws Exception {
        String t = newTopic(1);
        String g = "close-" + t;
        try (StreamClient s = new StreamClient(one.node().httpPort(), "/groups/" + g + "/stream?topic=" + t + "&consumer=s1", 0,
                "Connection: close\r\n")) {
            assertEquals(200, s.status());
            Thread.sleep(1000);
            assertEquals(201, http.post("/topics/" + t + "/messages", "later".getBytes()).status());
            assertEquals("later", JSON.readTree(s.readMessageLine()).path("body").asText(), "the stream carries on");
        }
    }
}
