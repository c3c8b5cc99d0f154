/**
 * Pictor's metrics: every meter, named in one place ({@link dev.pictor.metrics.Metrics}), in
 * Prometheus form, with the database-backed gauges read at scrape time. It imports nothing from
 * Pictor; features record into it.
 */
package dev.pictor.metrics;
