package dev.pictor.webhook;

import java.time.Instant;

/**
 * One callback of one task. {@code status}: pending (waiting for its next attempt), delivered, dead
 * (every attempt failed) or disabled (its URL answered 410 Gone). {@code attempts} counts all
 * attempts; {@code roundAttempts} those since the last manual redelivery, which index the schedule.
 */
public record WebhookEvent(String id, String tenantId, String taskId, String url, String payload, String status, int attempts,
                           int roundAttempts, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt, Integer lastStatus,
                           String lastError) {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
    public static final String DISABLED = "disabled";
}
