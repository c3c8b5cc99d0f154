package dev.pictor.api;

/**
 * An error answered in the envelope {@code {"code":N,"error":{"message","type","param"}}} with HTTP
 * status N. {@code param} (additive to the APIDot shape) names the offending field when there is one.
 */
class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final Integer retryAfterSeconds;
    private final String code;

    ApiException(int status, String type, String message, String param, Integer retryAfterSeconds) {
        this(status, type, message, param, retryAfterSeconds, null);
    }

    /** {@code code} is the machine-readable error code of the OpenAI error shape (e.g. moderation_blocked). */
    ApiException(int status, String type, String message, String param, Integer retryAfterSeconds, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
        this.code = code;
    }

    String code() {
        return code;
    }

    static ApiException badRequest(String message, String param) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", message, null, null);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, "permission_error", message, null, null);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found_error", message, null, null);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", message, null, null);
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "server_error", message, null, null);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
