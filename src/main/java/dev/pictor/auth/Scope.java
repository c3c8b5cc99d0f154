package dev.pictor.auth;

import java.util.Locale;

/**
 * What a key may do beyond its own tenant's task API. An {@code OPERATOR} runs the installation:
 * every tenant, their keys and balances. A {@code TENANT_ADMIN} manages its own tenant only: its
 * keys and webhook secret. A {@code TENANT} key has no admin API at all.
 */
public enum Scope {
    OPERATOR, TENANT_ADMIN, TENANT;

    public boolean admin() {
        return this != TENANT;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope named on the wire or stored in {@code api_key.scope}; IllegalArgumentException for any other text. */
    public static Scope parse(String wire) {
        for (Scope s : values()) {
            if (s.wire().equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scope must be operator, tenant_admin or tenant");
    }
}
