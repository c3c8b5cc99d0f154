package dev.pictor.task;

import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One failed attempt in a task's route log: when, on which upstream, which attempt on that route,
 * and what failed. {@code message} is already redacted ({@link Redaction}): no prompt, no key. The
 * JSON form is the stored {@code route_log} column and the status body's {@code attempts}; its
 * upstream field is named {@code provider}, as on the wire everywhere else.
 */
public record RouteLogEntry(Instant time, String upstream, int attempt, ErrorCode errorCode, String message) {

    ObjectNode toJson() {
        return Json.object()
                .put("time", TaskView.isoTime(time))
                .put("provider", upstream)
                .put("attempt", attempt)
                .put("error_code", errorCode.wire())
                .put("message", message);
    }

    static RouteLogEntry fromJson(JsonNode json) {
        return new RouteLogEntry(
                Instant.parse(json.get("time").asString()),
                json.get("provider").asString(),
                json.get("attempt").asInt(),
                ErrorCode.fromWire(json.get("error_code").asString()),
                json.path("message").isNull() ? null : json.path("message").asString(null));
    }
}
