/**
 * The adapter for Seedream on BytePlus ModelArk / Volcengine Ark (synchronous). It imports the
 * upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.ark;
