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
                GroupCommand.class,
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

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        // On 1-2 cores the common pool has one thread, and CompletableFuture's async stages (which Akka's Java ask
        // futures use for every callback) then start a new thread per task; two threads let them share the pool.
        // Must run before anything touches ForkJoinPool; an explicit -D setting wins.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2)
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
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
