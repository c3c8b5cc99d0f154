/**
 * What every package shares: {@link dev.pictor.common.Json} (the one Jackson mapper),
 * {@link dev.pictor.common.BackgroundLoop} (a wakeable periodic worker) and
 * {@link dev.pictor.common.ErrorCode} (the wire vocabulary of task errors). It imports nothing from
 * Pictor, so any package may import it.
 */
package dev.pictor.common;
