package dev.pictor.auth;

import dev.pictor.db.DataAccessException;
import dev.pictor.db.Jdbc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Tenants and their API keys. A key is {@code sk-} plus 40 random characters; only its SHA-256 is
 * stored (the key has ~238 bits of entropy, so a fast hash is enough and lookups stay one index probe).
 */
public final class ApiKeys {
    public static final String DEFAULT_TENANT = "default";
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);
    private static final String KEY_COLUMNS = "id, tenant_id, key_prefix, name, is_admin, created_at, last_used_at, revoked_at";

    private final Jdbc jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiKeys(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The principal of a presented key, or empty when it is unknown or revoked. */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null || !presented.startsWith("sk-") || presented.length() > 200) {
            return Optional.empty();
        }
        record Row(String id, String tenantId, boolean admin, Instant lastUsed) {
        }
        Optional<Row> row = jdbc.queryOne("SELECT id, tenant_id, is_admin, last_used_at FROM api_key WHERE key_hash = ? AND revoked_at IS NULL",
                rs -> new Row(rs.getString("id"), rs.getString("tenant_id"), rs.getBoolean("is_admin"), Jdbc.instant(rs, "last_used_at")),
                hash(presented));
        row.ifPresent(r -> {
            Instant now = clock.instant();
            if (r.lastUsed() == null || r.lastUsed().plus(LAST_USED_GRANULARITY).isBefore(now)) {
                jdbc.update("UPDATE api_key SET last_used_at = ? WHERE id = ?", now, r.id());
            }
        });
        return row.map(r -> new Principal(r.id(), r.tenantId(), r.admin()));
    }

    public boolean hasAnyKey() {
        return jdbc.queryOne("SELECT COUNT(*) AS n FROM api_key", rs -> rs.getLong("n"), new Object[0]).orElse(0L) > 0;
    }

    public Tenant ensureTenant(String id, String name) {
        Optional<Tenant> existing = tenant(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            return createTenant(id, name);
        } catch (DataAccessException e) {
            if (jdbc.dialect().isUniqueViolation(e.sqlException())) {
                return tenant(id).orElseThrow();
            }
            throw e;
        }
    }

    public Tenant createTenant(String id, String name) {
        Instant now = clock.instant();
        jdbc.update("INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)", id, name, now);
        return new Tenant(id, name, now);
    }

    public Optional<Tenant> tenant(String id) {
        return jdbc.queryOne("SELECT id, name, created_at FROM tenant WHERE id = ?",
                rs -> new Tenant(rs.getString("id"), rs.getString("name"), Jdbc.instant(rs, "created_at")), id);
    }

    public List<Tenant> tenants() {
        return jdbc.query("SELECT id, name, created_at FROM tenant ORDER BY created_at, id",
                rs -> new Tenant(rs.getString("id"), rs.getString("name"), Jdbc.instant(rs, "created_at")));
    }

    /** Creates a key with a fresh random secret. */
    public CreatedKey create(String tenantId, String name, boolean admin) {
        return store(tenantId, name, admin, newSecret());
    }

    /**
     * Registers an operator-chosen secret (the bootstrap admin key from the environment). Idempotent:
     * a secret that is already registered is left as it is.
     */
    public void ensureKey(String tenantId, String name, boolean admin, String secret) {
        if (jdbc.queryOne("SELECT id FROM api_key WHERE key_hash = ?", rs -> rs.getString("id"), hash(secret)).isEmpty()) {
            store(tenantId, name, admin, secret);
        }
    }

    private CreatedKey store(String tenantId, String name, boolean admin, String secret) {
        Instant now = clock.instant();
        String id = "key_" + randomChars(16).toLowerCase();
        String prefix = secret.substring(0, Math.min(8, secret.length()));
        jdbc.update("INSERT INTO api_key (id, tenant_id, key_hash, key_prefix, name, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, tenantId, hash(secret), prefix, name, admin, now);
        return new CreatedKey(new ApiKeyInfo(id, tenantId, prefix, name, admin, now, null, null), secret);
    }

    public List<ApiKeyInfo> list(String tenantIdOrNull) {
        return tenantIdOrNull == null
                ? jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_key ORDER BY created_at, id", ApiKeys::mapKey)
                : jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_key WHERE tenant_id = ? ORDER BY created_at, id", ApiKeys::mapKey, tenantIdOrNull);
    }

    public Optional<ApiKeyInfo> find(String keyId) {
        return jdbc.queryOne("SELECT " + KEY_COLUMNS + " FROM api_key WHERE id = ?", ApiKeys::mapKey, keyId);
    }

    /** Revokes a key; revoking twice keeps the first revocation time. */
    public Optional<ApiKeyInfo> revoke(String keyId) {
        jdbc.update("UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", clock.instant(), keyId);
        return find(keyId);
    }

    private String newSecret() {
        return "sk-" + randomChars(40);
    }

    private String randomChars(int n) {
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiKeyInfo mapKey(ResultSet rs) throws SQLException {
        return new ApiKeyInfo(rs.getString("id"), rs.getString("tenant_id"), rs.getString("key_prefix"), rs.getString("name"),
                rs.getBoolean("is_admin"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "last_used_at"), Jdbc.instant(rs, "revoked_at"));
    }
}
