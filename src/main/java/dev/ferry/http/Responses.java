package dev.ferry.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.node.FerryMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** JSON responses and the error body {@code {"error", "detail"}}. */
final class Responses {
    private Responses() {}

    private static final Logger log = LoggerFactory.getLogger(Responses.class);

    static final String INTERNAL_ERROR_DETAIL = "the node failed to serve this request; its log says why";

    static HttpResponse json(int status, Object body) {
        try {
            return json(status, Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render response", e);
        }
    }

    static HttpResponse json(int status, byte[] body) {
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
    }

    static HttpResponse error(int status, String error, String detail) {
        if (status >= 400 && status < 500) FerryMetrics.BAD_REQUESTS.labels(error).inc();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("detail", detail);
        return json(status, body);
    }

    static HttpResponse error(ApiException e) {
        return error(e.status(), e.error(), e.detail());
    }

    /** Maps a failed future to its error response: ApiExceptions as they say, anything else 500 (logged). */
    static Function<Throwable, HttpResponse> recover() {
        return e -> {
            RuntimeException t = Sender.translate(e);
            if (t instanceof ApiException api) return error(api);
            log.error("request failed", t);
            // The cause is in the node's log; the client learns nothing of the node's internals from it.
            return error(StatusCodes.INTERNAL_SERVER_ERROR.intValue(), "internal_error", INTERNAL_ERROR_DETAIL);
        };
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
