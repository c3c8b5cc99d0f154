package dev.pictor.auth;

import java.time.Instant;

/** A key as listed: everything but the secret, which is shown only once, when it is created. */
public record ApiKeyInfo(String id, String tenantId, String prefix, String name, Scope scope, KeyLimits limits, Instant createdAt,
                         Instant lastUsedAt, Instant revokedAt) {
    public boolean admin() {
        return scope.admin();
    }
}
