package dev.ferry.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the real {@code ferry} command tree in-process and captures what it printed. */
final class Cli {
    private Cli() {}

    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.isBlank() ? List.of() : Arrays.asList(out.strip().split("\\R"));
        }
    }

    /** {@code ferry ARGS --url <test node>} for client commands. */
    static Result against(String url, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--url");
        all.add(url);
        return run(all.toArray(String[]::new));
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FerryCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** As {@link #against} with {@code stdin} as standard input. */
    static Result withStdin(String stdin, String url, String... args) {
        return withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), url, args);
    }

    /** As {@link #against} with {@code stdin} as standard input. */
    static synchronized Result withStdin(InputStream stdin, String url, String... args) {
        InputStream saved = System.in;
        System.setIn(stdin);
        try {
            return against(url, args);
        } finally {
            System.setIn(saved);
        }
    }
}
