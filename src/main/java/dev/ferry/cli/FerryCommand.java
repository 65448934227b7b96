package dev.ferry.cli;

import dev.ferry.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * Entry point of ferry.jar and the root of the {@code ferry} command line. With no arguments it starts a
 * node on the embedded default configuration, so {@code java -jar ferry.jar} runs a node as DESIGN.md says.
 *
 * <p>Exit codes: 0 success; 1 the node answered with an error or could not be reached (the node's
 * {@code error}/{@code detail} is printed); 2 bad command line (picocli prints the usage).
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Ferry: a clustered, durable message queue. Run a node, administer topics, send, consume, measure.",
        subcommands = {
                StartCommand.class,
                LocalClusterCommand.class,
                TopicCommand.class,
                SendCommand.class,
                ConsumeCommand.class,
                ClusterCommand.class,
                HealthCommand.class,
                AllocationCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class FerryCommand implements Callable<Integer> {

    /** No subcommand: run a node, exactly as {@code ferry start} with no options. */
    @Override
    public Integer call() {
        return new StartCommand().call();
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** The configured command tree; tests run it in-process with their own out/err writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FerryCommand());
        cl.setExecutionExceptionHandler(new ErrorReporter());
        return cl;
    }
}
