/**
 * The adapter for the OpenAI Images API (synchronous generations and multipart edits, GPT image
 * models). It imports the upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.openai;
