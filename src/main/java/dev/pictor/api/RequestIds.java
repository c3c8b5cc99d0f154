package dev.pictor.api;

import io.javalin.http.Context;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Gives every request an id an operator can find it by: the caller's {@code X-Request-Id} when it
 * is a sane token (what proxies and clients commonly send), else a new one. It is echoed in the
 * response header, in every error body and in the access log line.
 *
 * <p>An id needs to be unique, not secret: it is shown to the caller and grants nothing. So it is drawn
 * from a fast generator ({@code ThreadLocalRandom} in production), not from {@code SecureRandom},
 * whose lock and {@code /dev/urandom} reads were an eighth of a cached status read's CPU.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "pictor.request-id";
    /** Letters, digits and the punctuation of UUIDs, trace ids and the like; nothing a log could be forged with. */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** Characters drawn from one 64-bit value: 36^10 is below 2^63, so ten base-36 digits fit. */
    private static final int CHARS_PER_DRAW = 10;
    private static final long DRAW_RANGE = 3_656_158_440_062_976L; // 36^10
    private static final int ID_CHARS = 20;

    /** Uniform 64-bit values; a call may come from any thread. */
    private final LongSupplier randomBits;

    RequestIds(LongSupplier randomBits) {
        this.randomBits = randomBits;
    }

    /** Runs first on every request. */
    void assign(Context ctx) {
        String id = idFor(ctx.header(HEADER));
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    /** The caller's id when it sent a sane one, else a new one. */
    String idFor(String given) {
        return given != null && SANE.matcher(given).matches() ? given : newId();
    }

    /** The request's id; null only for a request that never reached {@link #assign}. */
    static String of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    /** {@code req_} and 20 characters of [a-z0-9] (about 103 random bits). */
    String newId() {
        var chars = new char[4 + ID_CHARS];
        "req_".getChars(0, 4, chars, 0);
        for (int at = 4; at < chars.length; at += CHARS_PER_DRAW) {
            long draw = Long.remainderUnsigned(randomBits.getAsLong(), DRAW_RANGE);
            for (int i = 0; i < CHARS_PER_DRAW; i++) {
                chars[at + i] = ALPHABET[(int) (draw % ALPHABET.length)];
                draw /= ALPHABET.length;
            }
        }
        return new String(chars);
    }
}
