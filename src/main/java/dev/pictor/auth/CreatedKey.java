package dev.pictor.auth;

/** A new key with its secret: the only moment the secret exists outside the client. */
public record CreatedKey(ApiKeyInfo info, String secret) {
}
