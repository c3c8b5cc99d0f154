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
    private static final String KEY_COLUMNS = "id, tenant_id, key_prefix, name, is_admin, scope, rate_limit, ip_whitelist, "
            + "hourly_credit_limit, daily_credit_limit, created_at, last_used_at, revoked_at";

    private final Jdbc jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final KeyCheckCache cache;

    public ApiKeys(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.cache = new KeyCheckCache(clock);
    }

    /**
     * The principal of a presented key, or empty when it is unknown or revoked. Served from a
     * few-seconds cache ({@link KeyCheckCache}); last_used_at is written at most once a minute per
     * key per node, so a cached key costs no database statement at all.
     */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null || !presented.startsWith("sk-") || presented.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(presented);
        KeyCheckCache.Entry cached = cache.get(hash);
        if (cached == null) {
            long readAt = cache.generation();
            record Row(Principal principal, Instant lastUsed) {
            }
            Optional<Row> row = jdbc.queryOne("SELECT " + KEY_COLUMNS + " FROM api_key WHERE key_hash = ? AND revoked_at IS NULL",
                    rs -> {
                        ApiKeyInfo k = mapKey(rs);
                        return new Row(new Principal(k.id(), k.tenantId(), k.scope(), k.limits()), k.lastUsedAt());
                    }, hash);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            cached = cache.put(hash, row.get().principal(), row.get().lastUsed(), readAt);
        }
        Instant now = clock.instant();
        Instant lastUsed = cached.lastUsedWritten().get();
        if ((lastUsed == null || lastUsed.plus(LAST_USED_GRANULARITY).isBefore(now)) && cached.lastUsedWritten().compareAndSet(lastUsed, now)) {
            jdbc.update("UPDATE api_key SET last_used_at = ? WHERE id = ?", now, cached.principal().keyId());
        }
        return Optional.of(cached.principal());
    }

    /** Drops every cached key check on this node (a peer changed a key, or the change channel reconnected). */
    public void forgetCachedChecks() {
        cache.clear();
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
    public CreatedKey create(String tenantId, String name, Scope scope, KeyLimits limits) {
        return store(tenantId, name, scope, limits, newSecret());
    }

    /**
     * Registers an operator-chosen secret (the bootstrap admin key from the environment). Idempotent:
     * a secret that is already registered keeps its row, and is given {@code scope} (so the
     * bootstrap key stays an operator however it was stored before).
     */
    public void ensureKey(String tenantId, String name, Scope scope, String secret) {
        if (jdbc.queryOne("SELECT id FROM api_key WHERE key_hash = ?", rs -> rs.getString("id"), hash(secret)).isEmpty()) {
            store(tenantId, name, scope, KeyLimits.NONE, secret);
        } else {
            jdbc.update("UPDATE api_key SET scope = ?, is_admin = ? WHERE key_hash = ?", scope.wire(), scope.admin(), hash(secret));
        }
    }

    private CreatedKey store(String tenantId, String name, Scope scope, KeyLimits limits, String secret) {
        Instant now = clock.instant();
        String id = "key_" + randomChars(16).toLowerCase();
        String prefix = secret.substring(0, Math.min(8, secret.length()));
        jdbc.update("""
                        INSERT INTO api_key (id, tenant_id, key_hash, key_prefix, name, is_admin, scope, rate_limit, ip_whitelist,
                            hourly_credit_limit, daily_credit_limit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                id, tenantId, hash(secret), prefix, name, scope.admin(), scope.wire(), limits.rateLimit(), limits.whitelistColumn(),
                limits.hourlyCreditLimit(), limits.dailyCreditLimit(), now);
        return new CreatedKey(new ApiKeyInfo(id, tenantId, prefix, name, scope, limits, now, null, null), secret);
    }

    /**
     * Changes a key's name (when given) and limits. Takes effect at once on this node and, through
     * NOTIFY, on every peer. Returns the key as it now is; empty when there is no such key.
     */
    public Optional<ApiKeyInfo> update(String keyId, String nameOrNull, KeyLimits limits) {
        int changed = jdbc.inTransaction(tx -> {
            int n = tx.update("""
                            UPDATE api_key SET name = COALESCE(?, name), rate_limit = ?, ip_whitelist = ?, hourly_credit_limit = ?,
                                daily_credit_limit = ? WHERE id = ?""",
                    nameOrNull, limits.rateLimit(), limits.whitelistColumn(), limits.hourlyCreditLimit(), limits.dailyCreditLimit(), keyId);
            tx.notifyKeyChange();
            tx.afterCommit(cache::clear);
            return n;
        });
        return changed == 0 ? Optional.empty() : find(keyId);
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
        jdbc.inTransaction(tx -> {
            tx.update("UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", clock.instant(), keyId);
            tx.notifyKeyChange();
            tx.afterCommit(cache::clear);
            return null;
        });
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

    /** The columns {@link #principal(ResultSet)} reads, for a query that joins api_key as {@code k}. */
    public static final String PRINCIPAL_COLUMNS = "k.id, k.tenant_id, k.scope, k.rate_limit, k.ip_whitelist, k.hourly_credit_limit, k.daily_credit_limit";

    /** The principal of an api_key row read with {@link #PRINCIPAL_COLUMNS} (the dashboard's sessions use it). */
    public static Principal principal(ResultSet rs) throws SQLException {
        return new Principal(rs.getString("id"), rs.getString("tenant_id"), Scope.parse(rs.getString("scope")), limits(rs));
    }

    private static KeyLimits limits(ResultSet rs) throws SQLException {
        return new KeyLimits(rs.getLong("rate_limit"), KeyLimits.parseColumn(rs.getString("ip_whitelist")),
                rs.getLong("hourly_credit_limit"), rs.getLong("daily_credit_limit"));
    }

    private static ApiKeyInfo mapKey(ResultSet rs) throws SQLException {
        var limits = limits(rs);
        return new ApiKeyInfo(rs.getString("id"), rs.getString("tenant_id"), rs.getString("key_prefix"), rs.getString("name"),
                Scope.parse(rs.getString("scope")), limits, Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "last_used_at"),
                Jdbc.instant(rs, "revoked_at"));
    }
}
