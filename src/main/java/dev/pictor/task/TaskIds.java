package dev.pictor.task;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Task ids in the APIDot form {@code task-unified-<unix seconds>-<random>}. The random part is 20
 * characters of [a-z0-9] (about 103 bits), so ids cannot be guessed.
 */
public final class TaskIds {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private final SecureRandom random = new SecureRandom();

    public String next(Instant now) {
        var sb = new StringBuilder("task-unified-").append(now.getEpochSecond()).append('-');
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** Cheap shape check so that junk in the URL never reaches the database. */
    public static boolean looksValid(String id) {
        return id != null && id.length() <= 64 && id.matches("task-unified-\\d{1,12}-[a-z0-9]{4,32}");
    }
}
