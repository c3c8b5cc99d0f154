package dev.pictor.auth;

/** Who is calling: the key's id (never the key itself), its tenant, and whether it may use the admin API. */
public record Principal(String keyId, String tenantId, boolean admin) {
}
