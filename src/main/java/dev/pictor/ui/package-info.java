/**
 * The web dashboard and playground served by the jar (static pages under {@code resources/ui/}),
 * their cookie sessions with CSRF tokens, and the OpenAPI 3.1 document generated from the catalog.
 * It imports auth, catalog, common and db; {@code api} registers its routes and accepts its sessions
 * in the key check, and nothing here imports {@code api} back.
 */
package dev.pictor.ui;
