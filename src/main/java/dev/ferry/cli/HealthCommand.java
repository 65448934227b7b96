package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code ferry health}: the node's /health answer; exit 1 when the node is not serving. */
@Command(name = "health", mixinStandardHelpOptions = true, description = "Is the node an Up cluster member and serving? (GET /health; exit 1 if not)")
public final class HealthCommand extends AnswerCommand {

    @Override
    JsonNode ask(FerryClient node) {
        return node.get("/health");
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        Output.text(out, answer);
    }

    @Override
    int exitCode(JsonNode answer) {
        return "ok".equals(answer.path("status").asText()) ? 0 : 1;
    }
}
