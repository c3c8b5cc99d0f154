/**
 * The adapter for Kling's image models (asynchronous task, polled) and the short-lived JWT it signs
 * in with. It imports the upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.kling;
