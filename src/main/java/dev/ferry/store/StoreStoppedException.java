package dev.ferry.store;

import java.io.IOException;

/**
 * The store stopped after an IO or force failure and refuses further work; the cause is the original failure.
 * Reopening the store runs recovery.
 */
public final class StoreStoppedException extends IOException {
    public StoreStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
