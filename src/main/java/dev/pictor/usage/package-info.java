/**
 * Usage reports: tasks, images, credits charged and refunded, and what the upstreams cost the
 * operator, per model, key or day, aggregated in the database ({@link dev.pictor.usage.UsageReport}).
 * It imports billing (credits, upstream costs), db and common; only api imports it.
 */
package dev.pictor.usage;
