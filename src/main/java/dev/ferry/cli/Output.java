package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;

/** Prints a node's JSON answer as indented JSON (the --json form of every command). */
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
}
