/**
 * Tenants and API keys: keys stored only as SHA-256 hashes, admin keys, and the
 * {@link dev.pictor.auth.Principal} a request acts as. It imports only db.
 */
package dev.pictor.auth;
