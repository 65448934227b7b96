package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;

/** Prints a node's JSON answer: as indented JSON (the --json form of every command), or as indented text for people. */
final class Output {
    private Output() {}

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(FerryClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer for people: one {@code key: value} line per field, nested objects and arrays indented under their
     * key, array elements as {@code - } items; text without JSON quotes.
     */
    static void text(PrintWriter out, JsonNode node) {
        render(out, node, "");
        out.flush();
    }

    private static void render(PrintWriter out, JsonNode node, String indent) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isContainerNode() && !v.isEmpty()) {
                    out.println(indent + e.getKey() + ":");
                    render(out, v, indent + "  ");
                } else {
                    out.println(indent + e.getKey() + ": " + scalar(v));
                }
            });
        } else if (node.isArray()) {
            for (JsonNode e : node) {
                if (e.isContainerNode() && !e.isEmpty()) {
                    out.println(indent + "-");
                    render(out, e, indent + "  ");
                } else {
                    out.println(indent + "- " + scalar(e));
                }
            }
        } else {
            out.println(indent + scalar(node));
        }
    }

    private static String scalar(JsonNode v) {
        if (v.isArray()) return "[]";
        if (v.isObject()) return "{}";
        return v.isNull() ? "null" : v.asText();
    }
}
