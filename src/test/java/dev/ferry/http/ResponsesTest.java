package dev.ferry.http;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Error answers built from failures. */
class ResponsesTest {

    @Test
    void anInternalErrorSaysTheNodeFailedWithoutNamingJavaInternals() throws Exception {
        HttpResponse r = Responses.recover().apply(new CompletionException(new OutOfMemoryError("Java heap space")));
        assertEquals(500, r.status().intValue());
        JsonNode body = Json.MAPPER.readTree(((HttpEntity.Strict) r.entity()).getData().toArray());
        assertEquals("internal_error", body.path("error").asText());
        assertEquals("the node failed to serve this request; its log says why", body.path("detail").asText());
        assertFalse(body.toString().contains("java."), body.toString());
    }
}
