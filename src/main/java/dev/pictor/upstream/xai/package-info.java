/**
 * The xAI Grok Imagine adapter (synchronous, OpenAI-shaped JSON). Imports {@code dev.pictor.upstream},
 * {@code catalog}, {@code media} and {@code common}; nothing imports it but the root's upstream list.
 */
package dev.pictor.upstream.xai;
