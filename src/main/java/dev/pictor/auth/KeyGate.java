package dev.pictor.auth;

import dev.pictor.db.Jdbc;
import dev.pictor.db.WindowCounters;
import dev.pictor.db.WindowCounters.Window;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The per-request limits of a key: its address whitelist and its {@code rate_limit} (requests per
 * fixed UTC hour, counted in the database so every node counts the same). A key without a rate
 * limit costs nothing here; one with a limit costs one conditional upsert per request. Credit
 * limits are checked at submit, by the ledger, in the transaction that reserves the credits.
 */
public final class KeyGate {
    public static final String REQUESTS_HOUR = "requests_hour";

    /** Why a request is refused: an address outside the whitelist (403) or the hour's requests used up (429). */
    public record Refusal(boolean rateLimited, String message, int retryAfterSeconds) {
    }

    private final Jdbc jdbc;
    private final Clock clock;

    public KeyGate(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<Refusal> admit(Principal p, InetAddress client) {
        KeyLimits limits = p.limits();
        if (!limits.allows(client)) {
            return Optional.of(new Refusal(false, "this API key may not be used from "
                    + (client == null ? "an address that cannot be determined" : client.getHostAddress()) + " (ip_whitelist)", 0));
        }
        if (limits.rateLimit() == 0) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        boolean counted = jdbc.inTransaction(tx -> WindowCounters.add(tx, p.keyId(), REQUESTS_HOUR, Window.HOUR.start(now), 1, limits.rateLimit()));
        if (counted) {
            return Optional.empty();
        }
        int retry = Window.HOUR.secondsLeft(now);
        return Optional.of(new Refusal(true, "rate limit of " + limits.rateLimit() + " requests per hour reached for this API key; "
                + "the hour (UTC) ends in " + retry + " s", retry));
    }

    /** Requests each rate-limited key made in the current UTC hour (keys without a rate limit are not counted). */
    public Map<String, Long> requestsThisHour() {
        Map<String, Long> used = new HashMap<>();
        jdbc.query("SELECT key_id, used FROM api_key_window WHERE kind = ? AND window_start = ?",
                rs -> used.put(rs.getString(1), rs.getLong(2)), REQUESTS_HOUR, Window.HOUR.start(clock.instant()));
        return used;
    }
}
