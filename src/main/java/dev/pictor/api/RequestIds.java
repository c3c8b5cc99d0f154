package dev.pictor.api;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id an operator can find it by: the caller's {@code X-Request-Id} when it
 * is a sane token (what proxies and clients commonly send), else a new one. It is echoed in the
 * response header, in every error body and in the access log line.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "pictor.request-id";
    /** Letters, digits and the punctuation of UUIDs, trace ids and the like; nothing a log could be forged with. */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final SecureRandom random = new SecureRandom();

    /** Runs first on every request. */
    void assign(Context ctx) {
        String given = ctx.header(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given : newId();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    /** The request's id; null only for a request that never reached {@link #assign}. */
    static String of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    private String newId() {
        var sb = new StringBuilder("req_");
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
