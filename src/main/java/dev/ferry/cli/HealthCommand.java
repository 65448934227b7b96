package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ferry health}: the node's /health answer; exit 1 when the node is not serving. */
@Command(name = "health", mixinStandardHelpOptions = true, description = "Is the node an Up cluster member and serving? (GET /health; exit 1 if not)")
public final class HealthCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode h = client.client().get("/health");
        spec.commandLine().getOut().println(h.toString());
        return "ok".equals(h.path("status").asText()) ? 0 : 1;
    }
}
