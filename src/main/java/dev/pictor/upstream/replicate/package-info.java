/**
 * The Replicate adapter (predictions: create, poll {@code urls.get}, cancel). Imports
 * {@code dev.pictor.upstream}, {@code catalog}, {@code media} and {@code common}; nothing imports it
 * but the root's upstream list.
 */
package dev.pictor.upstream.replicate;
