package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.ferry.allocation.Allocator;
import dev.ferry.allocation.InvalidSettingException;
import dev.ferry.allocation.SimulationInput;
import dev.ferry.allocation.Simulator;
import dev.ferry.allocation.StepResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry allocation ...}: offline tools over the allocation core. The root {@code FerryCommand} registers it as
 * a subcommand; it has no state and may be instantiated per invocation.
 */
@Command(name = "allocation", mixinStandardHelpOptions = true, version = "ferry allocation 0.1.0",
        description = "Queue copy placement: simulate allocation offline.",
        subcommands = {AllocationCommand.Simulate.class})
public final class AllocationCommand implements Runnable {
    /** Exit code for a file that cannot be read or is malformed. */
    public static final int EXIT_BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ferry allocation simulate FILE.json}: runs the steps of a simulation file and prints the cluster after each as JSON. */
    @Command(name = "simulate", mixinStandardHelpOptions = true, version = "ferry allocation simulate 0.1.0",
            description = {"Simulate allocation rounds on a cluster described in a JSON file and print the placement after each step as JSON.",
                    "See docs/allocation.md (\"Simulator\") for the file format."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the simulation ran (steps that were refused carry an \"error\")", "2:the file cannot be read or is malformed"})
    public static final class Simulate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the simulation file, or - to read standard input")
        String file;

        @Option(names = "--compact", description = "print the JSON on one line instead of indented")
        boolean compact;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            SimulationInput input;
            try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                input = SimulationJson.read(in);
            } catch (NoSuchFileException e) {
                return badInput(err, "cannot read [" + file + "]: no such file");
            } catch (MalformedSimulationException e) {
                return badInput(err, name() + ": malformed simulation file: " + e.getMessage());
            }
            List<StepResult> results;
            try {
                results = new Simulator(new Allocator()).run(input);
            } catch (InvalidSettingException e) {
                return badInput(err, name() + ": malformed simulation file: settings." + e.key() + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                return badInput(err, name() + ": inconsistent cluster: " + e.getMessage());
            }
            out.println(SimulationJson.write(results, !compact));
            out.flush();
            return 0;
        }

        /** Says what is wrong with the input; @return the bad-input exit code */
        private static int badInput(PrintWriter err, String message) {
            err.println("ferry allocation simulate: " + message);
            err.flush();
            return EXIT_BAD_INPUT;
        }

        private String name() {
            return file.equals("-") ? "<stdin>" : file;
        }
    }

    /** Runs the command on its own (for trying it without the root command). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new AllocationCommand()).execute(args));
    }
}
