/**
 * The HTTP surface: Javalin routes for the APIDot task API, the OpenAI Images API (reader, mapping,
 * responses and errors, one class each), signed file downloads, webhooks, admin and ops, answering
 * every error in one envelope ({@link dev.pictor.api.ApiException}, {@link dev.pictor.api.HttpJson}).
 * It may import task, webhook, auth, billing, usage, upstream (health), catalog, storage, metrics, db (the readiness check) and common;
 * only the root wiring imports api.
 */
package dev.pictor.api;
