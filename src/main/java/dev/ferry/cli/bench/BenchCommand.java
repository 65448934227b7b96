package dev.ferry.cli.bench;

import picocli.CommandLine.Command;

/** {@code ferry bench}: load tools for a running node or cluster. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load tools: produce (send rate and latency) and consume (drain rate).",
        subcommands = {ProduceBench.class, ConsumeBench.class})
public final class BenchCommand {
}
