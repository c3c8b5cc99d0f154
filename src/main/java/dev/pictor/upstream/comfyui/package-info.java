/**
 * The ComfyUI adapter (a local engine: API-format workflows with placeholders, the prompt queue,
 * history, view and upload routes, cancel by queue delete or interrupt). Imports
 * {@code dev.pictor.upstream}, {@code catalog}, {@code media} and {@code common}; nothing imports it
 * but the root's upstream list.
 */
package dev.pictor.upstream.comfyui;
