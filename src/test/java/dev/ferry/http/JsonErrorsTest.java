package dev.ferry.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a request body that is not what the API expects is answered with: short, naming the field, no library internals. */
class JsonErrorsTest {

    private static ApiException refused(String body, Class<?> type, String what) {
        return assertThrows(ApiException.class, () -> Json.parse(body.getBytes(StandardCharsets.ISO_8859_1), type, what));
    }

    @Test
    void anArrayWhereAnObjectBelongsSaysSo() {
        ApiException e = refused("[1,2]", Bodies.CreateTopic.class, "topic");
        assertEquals("invalid_json", e.error());
        assertEquals("topic: expected a JSON object, got an array", e.detail());
    }

    @Test
    void aStringWhereAnIntegerBelongsNamesTheFieldAndTheValue() {
        ApiException e = refused("{\"queues\":\"4\"}", Bodies.CreateTopic.class, "topic");
        assertEquals("topic: field 'queues': expected an integer, got a string (\"4\")", e.detail());
    }

    @Test
    void aFieldGivenTwiceIsRefusedAsDuplicate() {
        ApiException e = refused("{\"messages\":[],\"messages\":[]}", Bodies.Batch.class, "batch");
        assertEquals("batch: duplicate field 'messages' (line 1, column 26)", e.detail());
    }

    @Test
    void malformedJsonSaysWhereWithoutJacksonsSourceDescription() {
        ApiException e = refused("{\"queues\": 4", Bodies.CreateTopic.class, "topic");
        assertEquals("invalid_json", e.error());
        assertEquals(false, e.detail().contains("Source"), e.detail());
        assertEquals(false, e.detail().contains("StreamReadFeature"), e.detail());
        assertEquals(true, e.detail().startsWith("topic: malformed JSON: "), e.detail());
        assertEquals(true, e.detail().contains("line 1"), e.detail());
    }

    @Test
    void anNdjsonLineThatIsNotUtf8IsSaidToBeNotValidUtf8() {
        ApiException e = refused("\u00ff\u00fe", Bodies.Message.class, "line 3");
        assertEquals("line 3 is not valid UTF-8", e.detail());
    }

    @Test
    void aBatchThatIsNotUtf8IsSaidToBeNotValidUtf8() {
        ApiException e = refused("{\"messages\":[{\"body\":\"\u00ff\"}]}", Bodies.Batch.class, "batch");
        assertEquals("batch: the body is not valid UTF-8", e.detail());
    }
}
