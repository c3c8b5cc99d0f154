package dev.pictor.auth;

/**
 * Who is calling: the key's id (never the key itself), its tenant, its {@link Scope} and the
 * limits it is held to. {@code admin} is true for operators and tenant admins alike.
 */
public record Principal(String keyId, String tenantId, Scope scope, KeyLimits limits) {
    public Principal {
        limits = limits == null ? KeyLimits.NONE : limits;
    }

    public boolean admin() {
        return scope.admin();
    }

    public boolean operator() {
        return scope == Scope.OPERATOR;
    }

    /** True when this caller may act on {@code tenantId}'s keys, webhooks and settings. */
    public boolean mayManage(String otherTenantId) {
        return operator() || (admin() && tenantId.equals(otherTenantId));
    }
}
