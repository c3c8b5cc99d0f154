/**
 * The adapter for Black Forest Labs' FLUX models (asynchronous: submit, then poll the returned
 * polling URL). It imports the upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.bfl;
