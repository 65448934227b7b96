package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP as clients speak it: request lines as curl sends them, HEAD, 405 with Allow, the metrics media type. */
class HttpProtocolTest {

    static OneNode one;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        one = OneNode.start("protocol-1", 25531, 0, "ferry.topic.auto-create-topic-enable = false\nferry.http.ask-timeout = 2s");
        http = one.http();
        assertEquals(201, http.put("/topics/tagged", "{\"queues\": 1}").status());
        http.post("/topics/tagged/messages", "a".getBytes(StandardCharsets.UTF_8), "Ferry-Tags", "A", "Ferry-Queue", "0");
        http.post("/topics/tagged/messages", "b".getBytes(StandardCharsets.UTF_8), "Ferry-Tags", "B", "Ferry-Queue", "0");
        http.post("/topics/tagged/messages", "c".getBytes(StandardCharsets.UTF_8), "Ferry-Tags", "C", "Ferry-Queue", "0");
    }

    @AfterAll
    static void stop() {
        if (one != null) one.close();
    }

    @Test
    void aTagExpressionWithUnencodedBarsIsReadAsCurlSendsIt() throws IOException {
        String reply = rawGet("/topics/tagged/queues/0/messages?offset=0&tags=A||B");
        assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
        JsonNode body = new ObjectMapper().readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
        assertEquals(List.of("a", "b"), body.path("messages").findValuesAsText("body"));
    }

    @Test
    void aWrongMethodIs405WithTheAllowedMethodsInAnAllowHeader() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/tagged"))
                .method("POST", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode(), r.body());
        String allow = r.headers().firstValue("Allow").orElse("");
        for (String method : List.of("GET", "PUT", "DELETE")) assertTrue(allow.contains(method), "Allow: " + allow);
        assertTrue(r.body().contains("method_not_allowed"), r.body());
    }

    @Test
    void writingToTheTopicCollectionItselfIs405NotABadName() {
        Http.Reply r = http.post("/topics", "{}");
        assertEquals(405, r.status(), r.toString());
        assertEquals("method_not_allowed", r.json().path("error").asText());
    }

    @Test
    void headTellsWhetherATopicExistsWithoutABody() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> there = client.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/tagged"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(http.base() + "/topics/no-such-topic"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, there.statusCode());
        assertEquals(404, missing.statusCode());
        assertEquals("", there.body());
    }

    @Test
    void metricsCarryThePrometheusTextFormatVersion() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
    }

    /** One GET with the request line exactly as given: java.net.URI would refuse the characters under test. */
    private static String rawGet(String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(http.base().substring(http.base().lastIndexOf(':') + 1)))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            in.transferTo(reply);
            return reply.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSendToAQueueWhoseMasterCannotBePlacedSaysWhichQueueAndWhereToLook() {
        http.put("/topics/nowhere", "{\"queues\": 1, \"settings\": {\"topic.allocation.require.zone\": \"no-such-zone\"}}");
        Http.Reply r = http.post("/topics/nowhere/messages", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(503, r.status(), r.toString());
        String detail = r.json().path("detail").asText();
        assertTrue(detail.contains("queue nowhere/0 did not acknowledge") && detail.contains("/cluster/allocation/explain?topic=nowhere&queue=0"), detail);
        assertTrue(!detail.contains("EntityRef") && !detail.contains("dev.ferry"), "no internals: " + detail);
    }

    @Test
    void explainingACopyWithoutItsQueueIs400NotTheBroker() {
        Http.Reply r = http.get("/cluster/allocation/explain?topic=tagged&copy=1");
        assertEquals(400, r.status(), r.toString());
        assertEquals("invalid_parameter", r.json().path("error").asText());
        assertEquals(200, http.get("/cluster/allocation/explain?topic=tagged").status(), "the Broker is explained without queue and copy");
    }

    @Test
    void aSendHeaderGivenTwiceOrEmptyIs400() {
        Http.Reply twice = http.post("/topics/tagged/messages", "x".getBytes(StandardCharsets.UTF_8), "Ferry-Queue", "0", "Ferry-Queue", "0");
        assertEquals(400, twice.status(), twice.toString());
        assertTrue(twice.json().path("detail").asText().contains("Ferry-Queue is given 2 times"), twice.toString());
        Http.Reply empty = http.post("/topics/tagged/messages", "x".getBytes(StandardCharsets.UTF_8), "Ferry-Queue", " ");
        assertEquals(400, empty.status(), empty.toString());
        assertEquals("invalid_header", empty.json().path("error").asText());
    }

    @Test
    void aTagHoldingTheFiltersOrIs400() {
        Http.Reply header = http.post("/topics/tagged/messages", "x".getBytes(StandardCharsets.UTF_8), "Ferry-Tags", "A||B");
        assertEquals(400, header.status(), header.toString());
        Http.Reply batch = http.post("/topics/tagged/messages:batch", "{\"messages\": [{\"body\": \"x\", \"tags\": [\"A||B\"]}]}");
        assertEquals(400, batch.status(), batch.toString());
    }

    @Test
    void aTextBodyThatIsNotUnicodeIs400NotStoredChanged() {
        Http.Reply r = http.post("/topics/tagged/messages:batch", "{\"messages\": [{\"body\": \"a\\ud800b\"}]}");
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().path("detail").asText().contains("bodyBase64"), r.toString());
        Http.Reply pair = http.post("/topics/tagged/messages:batch", "{\"messages\": [{\"body\": \"\\ud83d\\ude00\", \"queue\": 0}]}");
        assertEquals(201, pair.status(), "a surrogate pair is text: " + pair);
    }
}
