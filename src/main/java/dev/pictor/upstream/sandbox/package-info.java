/**
 * The built-in {@code sandbox} upstream: deterministic synthetic images, so the whole flow runs
 * without a vendor key and tests get repeatable bytes, with prompt directives that provoke failures.
 * It imports the upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.sandbox;
