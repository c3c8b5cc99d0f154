/**
 * The AUTOMATIC1111 / Forge WebUI adapter (a local engine, synchronous {@code /sdapi/v1}). Imports
 * {@code dev.pictor.upstream}, {@code catalog}, {@code media} and {@code common}; nothing imports it
 * but the root's upstream list.
 */
package dev.pictor.upstream.a1111;
