package dev.ferry.cli;

import java.net.URI;

/** No node answered at the given URL (refused, timed out, reset). */
public final class NodeUnreachableException extends RuntimeException {

    NodeUnreachableException(URI base, Exception cause) {
        super("cannot reach a Ferry node at " + base + ": " + describe(cause)
                + " (is a node running? start one with `bin/ferry start`, or pass --url)", cause);
    }

    private static String describe(Exception cause) {
        String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }
}
