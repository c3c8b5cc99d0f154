package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import dev.pictor.storage.StoredFile;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as stored. {@code upstream} is the upstream of its current route (the {@code provider}
 * column and wire field). {@code inputJson} is the validated, normalised {@code input} object;
 * {@code upstreamRef} the asynchronous upstream's job while one runs; {@code routeLog} the failed
 * attempts so far (retries and fallbacks), oldest first, empty when there were none; {@code metadata}
 * the client's own labels ({@link Metadata}), empty when it gave none.
 */
public record Task(
        String id,
        String tenantId,
        String model,
        TaskStatus status,
        String inputJson,
        String callbackUrl,
        String upstream,
        int progress,
        ErrorCode errorCode,
        String errorMessage,
        List<StoredFile> files,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant deadlineAt,
        String upstreamRef,
        int routeIndex,
        List<RouteLogEntry> routeLog,
        Map<String, String> metadata,
        List<WebhookEventType> webhookEvents) {
    public Task {
        routeLog = List.copyOf(routeLog);
        metadata = Map.copyOf(metadata);
        webhookEvents = List.copyOf(webhookEvents);
    }

    /** Whether this task's callback gets {@code type}: the terminal ones unless the submit chose. */
    public boolean wantsWebhook(WebhookEventType type) {
        return webhookEvents.isEmpty() ? type.isTerminal() : webhookEvents.contains(type);
    }
}
