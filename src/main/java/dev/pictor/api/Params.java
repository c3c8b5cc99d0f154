package dev.pictor.api;

import dev.pictor.common.WireTime;
import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed, bounded reading of the fields of a request body, query or path, for every route: a wrong
 * JSON type, a number past its range, a control character or an overlong string is a 400 naming the
 * field, never an exception further in (PostgreSQL refuses NUL in text; an int overflows; an instant
 * past year 1,000,000,000 throws). Submit's {@code input} is checked by the catalog; this covers the rest.
 */
final class Params {
    /** The default bound of a name, id or other short text field. */
    static final int SHORT_TEXT = 200;

    private Params() {
    }

    /** An optional string field: {@code fallback} when absent or null. */
    static String string(ObjectNode body, String field, String fallback, int maxChars) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isString()) {
            throw ApiException.badRequest(field + " must be a string", field);
        }
        return text(v.asString(), field, maxChars);
    }

    /** A string field that must be present and not blank. */
    static String requiredString(ObjectNode body, String field, int maxChars) {
        String s = string(body, field, null, maxChars);
        if (s == null || s.isBlank()) {
            throw ApiException.badRequest(field + " is required and must be a string", field);
        }
        return s;
    }

    /** An optional whole number in {@code [min, max]}; null when absent or null. */
    static Integer integer(ObjectNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        // canConvertToInt is false past int range, so 2^31 or 1e20 cannot wrap around into range.
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw ApiException.badRequest(field + " must be a whole number from " + min + " to " + max, field);
        }
        return v.intValue();
    }

    /** An optional boolean; {@code fallback} when absent or null. */
    static boolean bool(ObjectNode body, String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(field + " must be a boolean", field);
        }
        return v.booleanValue();
    }

    /** An optional time (RFC 3339, or APIDot's form read as UTC) field of a body. */
    static Instant time(ObjectNode body, String field) {
        return time(string(body, field, null, 64), field);
    }

    /** An optional query parameter; null when absent. */
    static String query(Context ctx, String name, int maxChars) {
        String v = ctx.queryParam(name);
        return v == null ? null : text(v, name, maxChars);
    }

    /** An optional whole-number query parameter in {@code [min, max]}. */
    static int queryInt(Context ctx, String name, int fallback, int min, int max) {
        String v = query(ctx, name, 12);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max, name);
    }

    /** An optional time (RFC 3339, or APIDot's form read as UTC) query parameter. */
    static Instant queryTime(Context ctx, String name) {
        return time(query(ctx, name, 64), name);
    }

    /** A path parameter (an id): bounded and free of control characters. */
    static String path(Context ctx, String name) {
        return text(ctx.pathParam(name), name, SHORT_TEXT);
    }

    static Instant time(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return WireTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a UTC time such as 2026-11-21T00:00:00 or 2026-11-21T00:00:00Z", name);
        }
    }

    /** Bounded text without control characters or unpaired surrogates (which no database stores faithfully). */
    static String text(String value, String field, int maxChars) {
        if (value.length() > maxChars) {
            throw ApiException.badRequest(field + " must be at most " + maxChars + " characters", field);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw ApiException.badRequest(field + " must not contain control characters", field);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest(field + " must not contain unpaired UTF-16 surrogates", field);
            }
        }
        return value;
    }

    /** Guards a value derived from client input (a decoded cursor) whose conversion can throw. */
    static <T> T decoded(String field, java.util.function.Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (DateTimeException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw ApiException.badRequest(field + " is not one this server gave out", field);
        }
    }
}
