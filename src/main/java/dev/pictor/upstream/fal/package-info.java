/**
 * The fal.ai adapter (queue API: submit, status, result, cancel). Imports {@code dev.pictor.upstream},
 * {@code catalog}, {@code media} and {@code common}; nothing imports it but the root's upstream list.
 */
package dev.pictor.upstream.fal;
