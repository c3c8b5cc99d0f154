package dev.pictor.db;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The per-key counters of fixed time windows (table {@code api_key_window}, one row per key and
 * kind holding only the current window). Every node writes the same row with one conditional
 * statement ({@link Dialect#windowCounterAdd}), so a limit holds across nodes without any lock
 * beyond the row's own.
 */
public final class WindowCounters {
    private static final int INSERT_RACE_RETRIES = 3;

    private WindowCounters() {
    }

    /** The fixed UTC windows limits count in: an hour from :00 to :00, a day from 00:00 to 00:00 UTC. */
    public enum Window {
        HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS);

        private final ChronoUnit unit;

        Window(ChronoUnit unit) {
            this.unit = unit;
        }

        public Instant start(Instant t) {
            return t.truncatedTo(unit);
        }

        public Instant end(Instant t) {
            return start(t).plus(1, unit);
        }

        /** Whole seconds until the window holding {@code t} ends, at least 1 (for Retry-After). */
        public int secondsLeft(Instant t) {
            long millis = Duration.between(t, end(t)).toMillis();
            return (int) Math.max(1, (millis + 999) / 1000);
        }
    }

    /**
     * Adds {@code amount} to the counter of {@code windowStart} unless that would pass {@code limit};
     * true when added. An amount above the limit on its own is never added.
     */
    public static boolean add(Jdbc.Tx tx, String keyId, String kind, Instant windowStart, long amount, long limit) throws SQLException {
        if (amount > limit) {
            return false;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.update(tx.dialect().windowCounterAdd(), keyId, kind, windowStart, amount, limit) > 0;
            } catch (SQLException e) {
                // H2 only: two first writes of one counter raced; the row exists now, so the retry updates it.
                if (attempt >= INSERT_RACE_RETRIES || !tx.dialect().isInsertRace(e)) {
                    throw e;
                }
            }
        }
    }

    /** Gives back {@code amount} to the counter if it still holds the window starting at {@code windowStart}. */
    public static void subtract(Jdbc.Tx tx, String keyId, String kind, Instant windowStart, long amount) throws SQLException {
        tx.update("UPDATE api_key_window SET used = CASE WHEN used > ? THEN used - ? ELSE 0 END WHERE key_id = ? AND kind = ? AND window_start = ?",
                amount, amount, keyId, kind, windowStart);
    }

    /** The counter's value for the window starting at {@code windowStart}; 0 when it holds another window or none. */
    public static long used(Jdbc.Tx tx, String keyId, String kind, Instant windowStart) throws SQLException {
        Optional<Long> v = tx.queryOne("SELECT used FROM api_key_window WHERE key_id = ? AND kind = ? AND window_start = ?",
                rs -> rs.getLong(1), keyId, kind, windowStart);
        return v.orElse(0L);
    }

    /** Sets a counter to {@code used} for the window starting at {@code windowStart} (when a limit is first set on a key). */
    public static void seed(Jdbc.Tx tx, String keyId, String kind, Instant windowStart, long used) throws SQLException {
        if (tx.update("UPDATE api_key_window SET window_start = ?, used = ? WHERE key_id = ? AND kind = ?", windowStart, used, keyId, kind) == 0) {
            add(tx, keyId, kind, windowStart, used, Long.MAX_VALUE);
        }
    }
}
