package dev.pictor.provider;

import dev.pictor.task.ErrorCode;

/**
 * A generation that failed. {@code retryable} says whether trying again (later, or on another route)
 * can help: true for connection errors, 429 and 5xx; never for moderation or invalid input. The message
 * is shown to the client, so it must not contain secrets or the prompt.
 */
public class ProviderException extends Exception {
    private final ErrorCode code;
    private final boolean retryable;

    public ProviderException(ErrorCode code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
