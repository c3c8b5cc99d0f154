/**
 * Tenants and API keys: keys stored only as SHA-256 hashes, their scope (operator, tenant admin,
 * tenant), their limits (address whitelist, hourly rate) and a short-lived cache of key checks; the
 * {@link dev.pictor.auth.Principal} a request acts as. It imports only db.
 */
package dev.pictor.auth;
