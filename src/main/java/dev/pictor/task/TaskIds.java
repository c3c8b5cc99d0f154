package dev.pictor.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Task ids in the APIDot form {@code task-unified-<unix seconds>-<suffix>}. The suffix is 20
 * characters of [a-z0-9]: the first two are the millisecond within the second in base 36, the other
 * 18 are random (about 93 bits), so ids cannot be guessed.
 *
 * <p>Why the millisecond: ids are the primary key of the task, queue and charge tables. With a fully
 * random suffix, the rows one group-commit batch inserts land on as many different B-tree pages as
 * there are rows, and H2 re-serialises every touched page on commit (it was about 15 pages per tree
 * per batch). With ids in time order a batch lands in the last pages of each tree. The cost is that an
 * id reveals when in its second it was submitted, which the seconds part revealed to within a second
 * already.
 */
public final class TaskIds {
    private static final String PREFIX = "task-unified-";
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long NINE_DIGITS = 101_559_956_668_416L; // 36^9
    // The largest multiple of 36^9 that fits in 63 bits: values below it map to 9 digits uniformly.
    private static final long UNBIASED_BOUND = Long.MAX_VALUE / NINE_DIGITS * NINE_DIGITS;
    private final SecureRandom random = new SecureRandom();

    public String next(Instant now) {
        var sb = new StringBuilder(PREFIX).append(now.getEpochSecond()).append('-');
        int millisecond = now.getNano() / 1_000_000;
        // forDigit gives 0-9 then a-z, which is also their order in ASCII, so ids sort by time.
        sb.append(Character.forDigit(millisecond / 36, 36)).append(Character.forDigit(millisecond % 36, 36));
        byte[] bytes = new byte[16];
        random.nextBytes(bytes); // one call: a character at a time was 18 calls, each taking SecureRandom's lock
        appendDigits(sb, (long) LONGS.get(bytes, 0));
        appendDigits(sb, (long) LONGS.get(bytes, 8));
        return sb.toString();
    }

    /** Nine uniform base-36 characters from 63 random bits (redrawn, about once in 100,000, when above the bound). */
    private void appendDigits(StringBuilder sb, long draw) {
        long v = draw & Long.MAX_VALUE;
        while (v >= UNBIASED_BOUND) {
            v = random.nextLong() & Long.MAX_VALUE;
        }
        v %= NINE_DIGITS;
        for (int i = 0; i < 9; i++) {
            sb.append(ALPHABET[(int) (v % 36)]);
            v /= 36;
        }
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
