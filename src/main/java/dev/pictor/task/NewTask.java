package dev.pictor.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What submit stores: a validated request, its route and its deadline; {@code retention} is the
 * client's own, shorter retention, or null for the operator's; {@code key} is the API key that
 * submitted it with the credit limits it is held to (null when no key did: tests, tools).
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
        Key key) {
    public NewTask {
        metadata = Map.copyOf(metadata);
        webhookEvents = List.copyOf(webhookEvents);
    }

    /** The submitting key's id, or null when no key submitted the task. */
    public String keyId() {
        return key == null ? null : key.id();
    }

    /** The submitting key and its credit limits in millicredits per fixed UTC hour and day (0: none). */
    public record Key(String id, long hourlyCreditLimit, long dailyCreditLimit) {
        public boolean hasCreditLimit() {
            return hourlyCreditLimit > 0 || dailyCreditLimit > 0;
        }
    }

    /** A task no key submitted. */
    public NewTask(String id, String tenantId, String model, String inputJson, String callbackUrl, String upstream,
                   Instant createdAt, Instant deadlineAt, Map<String, String> metadata, List<WebhookEventType> webhookEvents) {
        this(id, tenantId, model, inputJson, callbackUrl, upstream, createdAt, deadlineAt, metadata, webhookEvents, null, null);
    }

    /** A task without client metadata. */
    public NewTask(String id, String tenantId, String model, String inputJson, String callbackUrl, String upstream,
                   Instant createdAt, Instant deadlineAt) {
        this(id, tenantId, model, inputJson, callbackUrl, upstream, createdAt, deadlineAt, Map.of(), List.of(), null, null);
    }
}
