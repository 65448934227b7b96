package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that asks the node one thing and prints its answer: indented JSON with {@code --json}, text for people
 * otherwise. A node error or an unreachable node is thrown and reported by {@link ErrorReporter} (exit 1); a
 * printed answer exits 0 unless {@link #exitCode} says otherwise (health: a node that is not serving).
 */
abstract class AnswerCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;
    @Option(names = "--json", description = "Print the node's answer as JSON.") boolean json;

    /** Asks the node; its answer is what gets printed (null: nothing to print, exit 0). */
    abstract JsonNode ask(FerryClient node);

    /** Prints the answer for people (without {@code --json}). */
    abstract void print(JsonNode answer, PrintWriter out);

    /** The exit code once the answer is printed: 0 unless the answer itself says something is wrong. */
    int exitCode(JsonNode answer) {
        return 0;
    }

    @Override
    public final Integer call() {
        JsonNode answer = ask(client.client());
        if (answer == null) {
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Output.json(out, answer);
        } else {
            print(answer, out);
        }
        return exitCode(answer);
    }
}
