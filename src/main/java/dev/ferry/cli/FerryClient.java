package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The admin client the CLI commands share: one request at a time over the JDK HttpClient, JSON in and out.
 * A non-2xx answer becomes a {@link FerryHttpException} carrying the node's {@code {"error", "detail"}} body,
 * an unreachable node a {@link NodeUnreachableException}; the root command turns both into a message and exit 1.
 * The load generator does not use this class (see {@link dev.ferry.cli.bench.HttpConnection}).
 */
public final class FerryClient {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    public FerryClient(URI base) {
        this.base = normalize(base);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public URI base() {
        return base;
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).GET(), path);
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).DELETE(), path);
    }

    public JsonNode putJson(String path, JsonNode body) {
        return send(json(path).PUT(bytes(body)), path);
    }

    /** A 2xx answer with its status, for commands that tell 200 from 201 (an existing topic from a created one). */
    public record Answer(int status, JsonNode body) {}

    /** As {@link #putJson}, keeping the status. */
    public Answer putJsonAnswer(String path, JsonNode body) {
        return exchange(json(path).PUT(bytes(body)), path);
    }

    public JsonNode postJson(String path, JsonNode body) {
        return send(json(path).POST(bytes(body)), path);
    }

    public JsonNode patchJson(String path, JsonNode body) {
        return send(json(path).method("PATCH", bytes(body)), path);
    }

    /** POST a raw payload (a single message), with extra headers such as {@code Ferry-Tags}. */
    public JsonNode postRaw(String path, byte[] payload, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        headers.forEach(b::header);
        return send(b, path);
    }

    /**
     * GET a streaming NDJSON answer and hand each message line (JSON object) to {@code line} as it arrives, until the
     * stream ends or {@code line} answers false. Blank keep-alive lines are skipped; an error line ends the stream with
     * a FerryHttpException, like an error status does.
     */
    public void stream(String path, java.util.function.Predicate<JsonNode> line) {
        HttpResponse<java.util.stream.Stream<String>> response;
        try {
            response = http.send(HttpRequest.newBuilder(resolve(path)).header("Accept", "application/x-ndjson").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new NodeUnreachableException(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeUnreachableException(base, e);
        }
        try (java.util.stream.Stream<String> lines = response.body()) {
            if (response.statusCode() / 100 != 2) {
                byte[] body = String.join("\n", (Iterable<String>) lines::iterator).getBytes(StandardCharsets.UTF_8);
                throw FerryHttpException.from("GET " + path, response.statusCode(), parse(body), body);
            }
            var it = lines.iterator();
            while (it.hasNext()) {
                String l = it.next();
                if (l.isBlank()) continue;
                JsonNode j = parse(l.getBytes(StandardCharsets.UTF_8));
                if (j.has("error")) {
                    byte[] body = l.getBytes(StandardCharsets.UTF_8);
                    throw FerryHttpException.from("GET " + path, 200, j, body);
                }
                if (!line.test(j)) return;
            }
        } catch (UncheckedIOException e) {
            throw new NodeUnreachableException(base, e.getCause());
        }
    }

    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** @return the path of a topic's resource, {@code /topics/{topic}} */
    public static String topicPath(String topic) {
        return "/topics/" + encode(topic);
    }

    /** Percent-encodes one path segment or query value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder json(String path) {
        return HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher bytes(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private URI resolve(String path) {
        return URI.create(base.toString() + path);
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        return exchange(request, path).body();
    }

    private Answer exchange(HttpRequest.Builder request, String path) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new NodeUnreachableException(base, e);
        } catch (IOException e) {
            throw new NodeUnreachableException(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeUnreachableException(base, e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw FerryHttpException.from(response.request().method() + " " + path, response.statusCode(), body, response.body());
        }
        return new Answer(response.statusCode(), body);
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static URI normalize(URI base) {
        String s = base.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }
}
