package dev.ferry.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.util.stream.Collectors;

/** The API's JSON mapper (strict: no string-to-number coercion, unknown fields rejected) and its error messages. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = JsonMapper.builder()
            // {"messages": [...], "messages": [...]} is refused as "duplicate field 'messages'", not merged or last-wins.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // The allocation core has no Jackson: its Decision's isYes()/isNo() would show as "yes"/"no" booleans
            // beside ES's {decider, decision, explanation}.
            .addMixIn(dev.ferry.allocation.Decision.class, DecisionJson.class)
            .build();

    /** What of a {@link dev.ferry.allocation.Decision} the API leaves out. */
    private abstract static class DecisionJson {
        @com.fasterxml.jackson.annotation.JsonIgnore
        abstract boolean isYes();

        @com.fasterxml.jackson.annotation.JsonIgnore
        abstract boolean isNo();
    }

    static {
        // "4.5" for an integer field is a wrong type, not 4.
        MAPPER.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        // 7 or true where a string is expected is a wrong type too (Jackson would quietly make it "7").
        for (CoercionInputShape shape : new CoercionInputShape[]{CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean})
            MAPPER.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }

    /** Parses {@code bytes} as {@code type}; malformed JSON or a wrong field becomes a 400 naming the field. */
    static <T> T parse(byte[] bytes, Class<T> type, String what) {
        if (bytes.length == 0) throw ApiException.badRequest("invalid_json", what + ": the request body is empty, expected a JSON object");
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) throw ApiException.badRequest("invalid_json", what + ": expected a JSON object, got null");
            return value;
        } catch (JsonProcessingException e) {
            if (notUtf8(e)) throw ApiException.badRequest("invalid_json", what + (what.startsWith("line ") ? " is not valid UTF-8" : ": the body is not valid UTF-8"));
            throw ApiException.badRequest("invalid_json", what + ": " + describe(e));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("invalid_json", what + ": " + e.getMessage());
        }
    }

    /**
     * A short message for people: the field and what was expected and got for a wrong value, line and column for
     * malformed JSON; never Jackson's class names or source descriptions.
     */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u)
            return "unknown field '" + path(u) + "'; known fields: " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
        if (e instanceof InvalidFormatException f)
            return "field '" + path(f) + "': expected " + typeName(f.getTargetType()) + ", got " + quote(f.getValue());
        if (e instanceof MismatchedInputException m && m.getPath().isEmpty() && String.valueOf(m.getOriginalMessage()).startsWith("Trailing token"))
            return "malformed JSON: something follows the JSON object" + at(e) + "; send one object";
        if (e instanceof MismatchedInputException m && m.getPath().isEmpty())
            return "expected a JSON object" + got(m);
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty())
            return "field '" + path(m) + "': expected " + typeName(m.getTargetType()) + got(m);
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty() && m.getCause() instanceof IllegalArgumentException iae)
            return "field '" + path(m) + "': " + iae.getMessage();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty())
            return "field '" + path(m) + "': " + firstLine(e.getOriginalMessage());
        String msg = firstLine(e.getOriginalMessage());
        String at = at(e);
        if (msg.startsWith("Duplicate field "))
            return "duplicate field " + msg.substring("Duplicate field ".length()) + at;
        if (notUtf8(e))
            return "not valid UTF-8";
        return "malformed JSON: " + msg + at;
    }

    /** " (line L, column C)" where Jackson stopped, or nothing. */
    private static String at(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc != null && loc.getLineNr() > 0 ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "";
    }

    private static boolean notUtf8(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m != null && (m.startsWith("Invalid UTF-8") || m.startsWith("Invalid UTF-32"));
    }

    /** Jackson's message without its source description: "(start marker at [Source: ...; line: 1, column: 1])" and the like. */
    private static String firstLine(String message) {
        if (message == null) return "";
        String m = message.replaceAll("\\(start marker at \\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]\\)", "(opened at line $1, column $2)");
        m = m.replaceAll("\\s*at \\[Source: [^\\]]*\\]", "");
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }

    /** ", got ..." naming the JSON value Jackson stopped at, or nothing when it is not known. */
    private static String got(MismatchedInputException m) {
        if (!(m.getProcessor() instanceof JsonParser p)) return "";
        JsonToken t = p.currentToken();
        if (t == null) return "";
        try {
            return switch (t) {
                case START_ARRAY -> ", got an array";
                case START_OBJECT, FIELD_NAME -> ", got an object";
                case VALUE_STRING -> ", got a string (" + quote(abbreviate(p.getText())) + ")";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> ", got a number (" + abbreviate(p.getText()) + ")";
                case VALUE_TRUE, VALUE_FALSE -> ", got " + t.asString();
                case VALUE_NULL -> ", got null";
                default -> "";
            };
        } catch (java.io.IOException unreadable) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String typeName(Class<?> t) {
        if (t == null) return "another type";
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "an integer";
        if (t == String.class) return "a string";
        if (t == Boolean.class || t == boolean.class) return "true or false";
        if (java.util.List.class.isAssignableFrom(t)) return "an array";
        if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) return "a JSON object";
        return t.getSimpleName();
    }

    private static String quote(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
