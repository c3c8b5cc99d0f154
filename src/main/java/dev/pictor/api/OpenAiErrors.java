package dev.pictor.api;

import dev.pictor.common.ErrorCode;
import dev.pictor.task.Task;
import java.time.Duration;

/**
 * The OpenAI-shaped errors of the Images endpoints: the {@code code} OpenAI's SDKs look for
 * ({@code model_not_found}, {@code moderation_blocked}, ...), and how a task's {@link ErrorCode}
 * becomes one. The envelope itself is {@link HttpJson#error}'s.
 */
final class OpenAiErrors {
    private OpenAiErrors() {
    }

    static ApiException unknownParameter(String name) {
        return new ApiException(400, "invalid_request_error", "Unrecognized request argument supplied: " + name, name, null, "unknown_parameter");
    }

    static ApiException badModel(String message) {
        return new ApiException(400, "invalid_request_error", message, "model", null, "model_not_found");
    }

    /** The caller waited {@code maxWait} in vain; the task itself goes on. */
    static ApiException notReady(Task task, Duration maxWait) {
        return new ApiException(504, "server_error", "the image is not ready after " + maxWait.toSeconds() + " s; task " + task.id()
                + " goes on and can be followed at /api/generate/status/" + task.id(), null, null, "timeout");
    }

    /** The error a failed task answers with, by its error code. */
    static ApiException failure(Task task) {
        String message = task.errorMessage() == null ? "the image could not be generated" : task.errorMessage();
        ErrorCode code = task.errorCode() == null ? ErrorCode.INTERNAL_ERROR : task.errorCode();
        return switch (code) {
            case CONTENT_MODERATED -> new ApiException(400, "image_generation_user_error", message, null, null, "moderation_blocked");
            case INVALID_INPUT -> new ApiException(400, "invalid_request_error", message, null, null, "invalid_input");
            case SOURCE_FETCH_FAILED -> new ApiException(400, "invalid_request_error", message, "image", null, "invalid_image");
            case CANCELLED -> new ApiException(400, "invalid_request_error", message, null, null, "cancelled");
            case TIMEOUT -> new ApiException(504, "server_error", message, null, null, "timeout");
            case INSUFFICIENT_CREDITS -> new ApiException(402, "insufficient_quota", message, null, null, "insufficient_quota");
            case UPSTREAM_ERROR -> new ApiException(502, "server_error", message, null, null, "upstream_error");
            case STORAGE_ERROR -> new ApiException(500, "server_error", message, null, null, "storage_error");
            case INTERNAL_ERROR -> new ApiException(500, "server_error", message, null, null, "internal_error");
        };
    }
}
