package dev.pictor.webhook;

import java.time.Instant;

/** One delivery attempt as recorded: when, the answer's status (null when there was none), how long, and what went wrong. */
public record WebhookAttempt(String eventId, int attempt, Instant attemptedAt, Integer httpStatus, long latencyMs,
                             String responseExcerpt, String error) {
}
