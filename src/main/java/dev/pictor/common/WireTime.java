package dev.pictor.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The two ways Pictor writes a time on the wire, both UTC to the second. Fields named {@code *_time}
 * use APIDot's own form, {@code 2026-04-19T21:19:42} with no offset, because clients written for
 * APIDot parse exactly that (Java's {@code LocalDateTime.parse}, Python before 3.11 rejects a
 * {@code Z}); fields named {@code *_at} carry the same instant in RFC 3339 with the {@code Z}, for
 * clients that want the offset spelled out.
 */
public final class WireTime {
    private static final DateTimeFormatter APIDOT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private WireTime() {
    }

    /** APIDot's form: UTC without an offset; null stays null. */
    public static String apidot(Instant instant) {
        return instant == null ? null : APIDOT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * A time a client sent: RFC 3339 with an offset, or APIDot's form without one (read as UTC).
     *
     * @throws java.time.format.DateTimeParseException when it is neither
     */
    public static Instant parse(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        }
    }

    /** RFC 3339 with {@code Z}; null stays null. */
    public static String rfc3339(Instant instant) {
        return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
