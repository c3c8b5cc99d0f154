package dev.pictor.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What submit stores: a validated request, its route and its deadline; {@code retention} is the
 * client's own, shorter retention, or null for the operator's; {@code keyId} the submitting key
 * (null when none is known).
 */
public record NewTask(
        String id,
        String tenantId,
        String model,
        String inputJson,
        String callbackUrl,
        String upstream,
        Instant createdAt,
        Instant deadlineAt,
        Map<String, String> metadata,
        List<WebhookEventType> webhookEvents,
        Duration retention,
        String keyId) {
    public NewTask {
        metadata = Map.copyOf(metadata);
        webhookEvents = List.copyOf(webhookEvents);
    }

    /** A task without client metadata. */
    public NewTask(String id, String tenantId, String model, String inputJson, String callbackUrl, String upstream,
                   Instant createdAt, Instant deadlineAt) {
        this(id, tenantId, model, inputJson, callbackUrl, upstream, createdAt, deadlineAt, Map.of(), List.of(), null, null);
    }
}
