package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command throws into a one-line message and an exit code: the node's {@code error}/{@code detail}
 * for an HTTP error, the reason for an unreachable node, and a stack trace only for real bugs.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    static final int NODE_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        String prefix = cmd.getCommandSpec().qualifiedName() + ": ";
        if (ex instanceof FerryHttpException e) {
            cmd.getErr().println(prefix + "HTTP " + e.status() + ": " + e.error() + (e.detail().isEmpty() ? "" : "\n  " + e.detail()));
            return NODE_ERROR;
        }
        if (ex instanceof NodeUnreachableException || ex instanceof UserError) {
            cmd.getErr().println(prefix + ex.getMessage());
            return NODE_ERROR;
        }
        cmd.getErr().println(prefix + "unexpected failure: " + ex);
        ex.printStackTrace(cmd.getErr());
        return NODE_ERROR;
    }
}
