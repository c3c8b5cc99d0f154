package dev.pictor.client;

/**
 * An error answer of Pictor (or APIDot), typed from the envelope
 * {@code {"code":N,"error":{"message","type","param"}}}. Messages come from the server and never
 * contain the API key, which the client never puts into an exception.
 */
public class PictorException extends RuntimeException {
    private final int status;
    private final String type;

    public PictorException(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** Connect errors, timeouts, 429 and 5xx: a retry with the same request may succeed. */
    public boolean transient_() {
        return status == 0 || status == 429 || status >= 500;
    }

    static PictorException of(int status, String type, String message, String param, Long retryAfterSeconds) {
        return switch (status) {
            case 400, 405, 409, 413, 422 -> new InvalidRequest(status, type, message, param);
            case 401, 403 -> new Authentication(status, type, message);
            case 402 -> new InsufficientCredits(status, type, message);
            case 404 -> new NotFound(status, type, message);
            case 429 -> new RateLimited(status, type, message, retryAfterSeconds);
            default -> new Server(status, type, message);
        };
    }

    public static final class InvalidRequest extends PictorException {
        private final String param;

        public InvalidRequest(int status, String type, String message, String param) {
            super(status, type, message);
            this.param = param;
        }

        /** The field the server names, e.g. {@code input.image_urls[1]}; null when none. */
        public String param() {
            return param;
        }
    }

    public static final class Authentication extends PictorException {
        public Authentication(int status, String type, String message) {
            super(status, type, message);
        }
    }

    public static final class InsufficientCredits extends PictorException {
        public InsufficientCredits(int status, String type, String message) {
            super(status, type, message);
        }
    }

    public static final class NotFound extends PictorException {
        public NotFound(int status, String type, String message) {
            super(status, type, message);
        }
    }

    public static final class RateLimited extends PictorException {
        private final Long retryAfterSeconds;

        public RateLimited(int status, String type, String message, Long retryAfterSeconds) {
            super(status, type, message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** From {@code Retry-After}; null when the server sent none. */
        public Long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** 5xx answers, and connect errors or timeouts (status 0) once the retries are used up. */
    public static final class Server extends PictorException {
        public Server(int status, String type, String message) {
            super(status, type, message);
        }
    }
}
