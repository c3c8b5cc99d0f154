/**
 * The stable-diffusion.cpp server adapter (a local engine, its OpenAI-compatible images API). Imports
 * {@code dev.pictor.upstream}, {@code catalog}, {@code media} and {@code common}; nothing imports it
 * but the root's upstream list.
 */
package dev.pictor.upstream.sdcpp;
