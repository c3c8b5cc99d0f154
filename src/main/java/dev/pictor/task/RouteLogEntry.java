package dev.pictor.task;

import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.common.WireTime;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One failed attempt in a task's route log: when, on which upstream, which attempt on that route,
 * and what failed. {@code message} is already redacted ({@link Redaction}): no prompt, no key. The
 * stored {@code route_log} column and the status body's {@code attempts} have the same fields (the
 * upstream's is named {@code provider}, as on the wire everywhere else); only {@code time} differs:
 * the column keeps RFC 3339, the wire APIDot's form, with {@code time_at} in RFC 3339 beside it.
 */
public record RouteLogEntry(Instant time, String upstream, int attempt, ErrorCode errorCode, String message) {

    /** The status body's {@code attempts} entry. */
    ObjectNode toWire() {
        ObjectNode wire = toStored().put("time", WireTime.apidot(time));
        wire.put("time_at", WireTime.rfc3339(time));
        return wire;
    }

    /** The stored form, read back by {@link #fromStored}. */
    ObjectNode toStored() {
        return Json.object()
                .put("time", WireTime.rfc3339(time))
                .put("provider", upstream)
                .put("attempt", attempt)
                .put("error_code", errorCode.wire())
                .put("message", message);
    }

    static RouteLogEntry fromStored(JsonNode json) {
        return new RouteLogEntry(
                Instant.parse(json.get("time").asString()),
                json.get("provider").asString(),
                json.get("attempt").asInt(),
                ErrorCode.fromWire(json.get("error_code").asString()),
                json.path("message").isNull() ? null : json.path("message").asString(null));
    }
}
