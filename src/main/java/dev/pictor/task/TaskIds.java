package dev.pictor.task;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Task ids in the APIDot form {@code task-unified-<unix seconds>-<random>}. The random part is 20
 * characters of [a-z0-9] (about 103 bits), so ids cannot be guessed.
 */
public final class TaskIds {
    private static final String PREFIX = "task-unified-";
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private final SecureRandom random = new SecureRandom();

    public String next(Instant now) {
        var sb = new StringBuilder(PREFIX).append(now.getEpochSecond()).append('-');
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** Cheap shape check so that junk in the URL never reaches the database. */
    public static boolean looksValid(String id) {
        // Hand-written rather than a regex: it runs on every status read, and String.matches
        // compiles its pattern on each call. Same language: task-unified-\d{1,12}-[a-z0-9]{4,32}.
        if (id == null || id.length() > 64 || !id.startsWith(PREFIX)) {
            return false;
        }
        int i = PREFIX.length();
        int digitsStart = i;
        while (i < id.length() && id.charAt(i) >= '0' && id.charAt(i) <= '9') {
            i++;
        }
        int digits = i - digitsStart;
        if (digits < 1 || digits > 12 || i >= id.length() || id.charAt(i) != '-') {
            return false;
        }
        int randomLength = id.length() - i - 1;
        if (randomLength < 4 || randomLength > 32) {
            return false;
        }
        for (int j = i + 1; j < id.length(); j++) {
            char c = id.charAt(j);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }
}
