package dev.pictor.common;

import java.util.concurrent.ExecutionException;

/** What waiting on a {@link java.util.concurrent.Future} needs in more than one place. */
public final class Futures {
    private Futures() {
    }

    /**
     * Throws the cause of a failed future as it was thrown when it is unchecked (a
     * {@link RuntimeException} or an {@link Error}); returns a checked cause, for the caller to
     * throw as its own type.
     */
    public static Exception checkedCause(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return (Exception) cause;
    }
}
