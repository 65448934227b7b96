/**
 * The {@code ferry} command line (picocli): {@link dev.ferry.cli.FerryCommand} is the jar's entry point and the
 * root of the command tree; {@code start} runs a node in this JVM, {@code local-cluster} runs nodes as child
 * processes, and the client commands (topic, send, consume, cluster, health) talk to a node over its HTTP API
 * through {@link dev.ferry.cli.FerryClient}. {@code allocation simulate} runs the allocation core offline.
 *
 * <p>Threading: each command runs on the picocli caller's thread and blocks on one request at a time; only
 * {@code local-cluster} adds a JVM shutdown hook (stopping its nodes). Errors surface as exceptions that
 * {@code ErrorReporter} turns into a message and exit code 1; usage errors are picocli's, exit code 2.
 */
package dev.ferry.cli;
