package dev.pictor.common;

/** Why a task failed, as the machine-readable {@code error_code} next to the human error_message. */
public enum ErrorCode {
    INVALID_INPUT("invalid_input"),
    CONTENT_MODERATED("content_moderated"),
    UPSTREAM_ERROR("upstream_error"),
    TIMEOUT("timeout"),
    CANCELLED("cancelled"),
    SOURCE_FETCH_FAILED("source_fetch_failed"),
    INSUFFICIENT_CREDITS("insufficient_credits"),
    /** The upstream made the images but the blob store kept refusing them until the task's deadline. */
    STORAGE_ERROR("storage_error"),
    INTERNAL_ERROR("internal_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static ErrorCode fromWire(String value) {
        for (ErrorCode c : values()) {
            if (c.wire.equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown error code " + value);
    }
}
