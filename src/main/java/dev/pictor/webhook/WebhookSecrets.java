package dev.pictor.webhook;

import dev.pictor.db.Jdbc;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One signing secret per tenant, created on first use and rotatable. During a rotation's overlap
 * window both the new and the old secret sign every delivery (space-separated signatures), so
 * receivers can switch secrets without losing a single event.
 */
public final class WebhookSecrets {
    private final Jdbc jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public WebhookSecrets(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A secret with when it stops being used ({@code retireAt} null for the current one). */
    public record Secret(String secret, Instant createdAt, Instant retireAt) {
    }

    /** The tenant's current secret, created now if it has none. */
    public String current(String tenantId) {
        return jdbc.inTransaction(tx -> {
            // Serialise creation per tenant on the tenant row, so two nodes cannot both create one.
            tx.query("SELECT id FROM tenant WHERE id = ? FOR UPDATE", rs -> rs.getString("id"), tenantId);
            var existing = tx.queryOne("SELECT secret FROM webhook_secret WHERE tenant_id = ? AND retire_at IS NULL ORDER BY id DESC LIMIT 1",
                    rs -> rs.getString("secret"), tenantId);
            if (existing.isPresent()) {
                return existing.get();
            }
            String secret = WebhookSigner.newSecret(random);
            tx.update("INSERT INTO webhook_secret (tenant_id, secret, created_at) VALUES (?, ?, ?)", tenantId, secret, clock.instant());
            return secret;
        });
    }

    /** Every secret that signs deliveries now: the current one first, then those still in their overlap window. */
    public List<Secret> active(String tenantId) {
        List<Secret> active = readActive(tenantId);
        if (!active.isEmpty()) {
            return active;
        }
        current(tenantId); // first use: create under the tenant lock, then read again
        return readActive(tenantId);
    }

    private List<Secret> readActive(String tenantId) {
        return jdbc.query("SELECT secret, created_at, retire_at FROM webhook_secret WHERE tenant_id = ? AND (retire_at IS NULL OR retire_at > ?) "
                        + "ORDER BY CASE WHEN retire_at IS NULL THEN 0 ELSE 1 END, id DESC",
                rs -> new Secret(rs.getString("secret"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "retire_at")),
                tenantId, clock.instant());
    }

    /**
     * Makes a new current secret. Every older secret keeps signing for at most {@code overlap} more
     * (one already ending sooner keeps its earlier end), so an overlap of zero retires them all now,
     * which is what a leaked secret calls for.
     */
    public Secret rotate(String tenantId, Duration overlap) {
        current(tenantId);
        Instant now = clock.instant();
        String secret = WebhookSigner.newSecret(random);
        jdbc.inTransaction(tx -> {
            tx.query("SELECT id FROM tenant WHERE id = ? FOR UPDATE", rs -> rs.getString("id"), tenantId);
            Instant end = now.plus(overlap);
            tx.update("UPDATE webhook_secret SET retire_at = ? WHERE tenant_id = ? AND (retire_at IS NULL OR retire_at > ?)", end, tenantId, end);
            tx.update("INSERT INTO webhook_secret (tenant_id, secret, created_at) VALUES (?, ?, ?)", tenantId, secret, now);
            return null;
        });
        return new Secret(secret, now, null);
    }
}
