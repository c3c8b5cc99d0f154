package dev.pictor.task;

import java.time.Instant;

/** What submit stores: a validated request, its route and its deadline. */
public record NewTask(
        String id,
        String tenantId,
        String model,
        String inputJson,
        String callbackUrl,
        String upstream,
        Instant createdAt,
        Instant deadlineAt) {
}
