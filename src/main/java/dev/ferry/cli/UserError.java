package dev.ferry.cli;

/** Something the operator can fix (a missing file, an unreadable config); printed without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
