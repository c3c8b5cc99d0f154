package dev.pictor.ui;

import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.Principal;
import dev.pictor.db.Jdbc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Server-side dashboard sessions. A session id is 32 random bytes that only the browser's HttpOnly
 * cookie holds; the table keeps its SHA-256. The CSRF token is derived from the id, so it needs no
 * storage and cannot be computed by a page that cannot read the cookie.
 */
public final class UiSessions {
    /** A new session: the cookie value, its CSRF token and when it ends. */
    public record Opened(String id, String csrfToken, Instant expiresAt) {
    }

    /** A live session: who it acts as, and when it ends. */
    public record Live(Principal principal, Instant expiresAt) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random;

    public UiSessions(Jdbc jdbc, Clock clock, Duration lifetime, SecureRandom random) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.lifetime = lifetime;
        this.random = random;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Opened open(Principal principal) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        // Sweeping expired rows on sign-in keeps the table small without a background job.
        jdbc.update("DELETE FROM ui_session WHERE expires_at < ?", now);
        jdbc.update("INSERT INTO ui_session (id_hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                sha256("session|" + id), principal.keyId(), now, expires);
        return new Opened(id, csrfToken(id), expires);
    }

    /** The session's principal while it is unexpired and its key is not revoked. */
    public Optional<Live> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        return jdbc.queryOne("SELECT " + ApiKeys.PRINCIPAL_COLUMNS + ", s.expires_at FROM ui_session s JOIN api_key k ON k.id = s.key_id"
                        + " WHERE s.id_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL",
                rs -> new Live(ApiKeys.principal(rs), Jdbc.instant(rs, "expires_at")),
                sha256("session|" + id), clock.instant());
    }

    public void close(String id) {
        if (id != null) {
            jdbc.update("DELETE FROM ui_session WHERE id_hash = ?", sha256("session|" + id));
        }
    }

    public String csrfToken(String id) {
        return sha256("csrf|" + id);
    }

    /** Constant-time comparison, so a wrong token's timing says nothing about the right one. */
    public boolean csrfMatches(String id, String presented) {
        return presented != null && MessageDigest.isEqual(csrfToken(id).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
