package dev.pictor.upstream;

import java.time.Duration;
import dev.pictor.common.ErrorCode;

/**
 * A generation that failed. {@code retryable} says whether trying again (later, or on another route)
 * can help: true for connection errors, 429 and 5xx; never for moderation or invalid input. The message
 * is shown to the client, so it must not contain secrets or the prompt.
 */
public class UpstreamException extends Exception {
    private final ErrorCode code;
    private final boolean retryable;
    private final Duration retryAfter;

    public UpstreamException(ErrorCode code, String message, boolean retryable) {
        this(code, message, retryable, null);
    }

    /** {@code retryAfter}: how long the upstream asked us to wait (its Retry-After), or null. */
    public UpstreamException(ErrorCode code, String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.code = code;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
