package dev.pictor.billing;

/**
 * A submit would take its key past its hourly or daily credit limit; nothing is stored. The HTTP
 * answer is a 429 with {@code Retry-After} set to when the window ends.
 */
public final class CreditLimitException extends RuntimeException {
    private final int retryAfterSeconds;

    public CreditLimitException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
