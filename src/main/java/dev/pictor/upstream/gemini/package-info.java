/**
 * The adapter for Google's Gemini image models (synchronous {@code generateContent}). It imports the
 * upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.gemini;
