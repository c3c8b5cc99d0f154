package dev.pictor.task;

import dev.pictor.storage.StoredFile;
import java.time.Instant;
import java.util.List;

/** A task as stored. {@code inputJson} is the validated, normalised {@code input} object. */
public record Task(
        String id,
        String tenantId,
        String model,
        TaskStatus status,
        String inputJson,
        String callbackUrl,
        String provider,
        int progress,
        ErrorCode errorCode,
        String errorMessage,
        List<StoredFile> files,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant deadlineAt) {
}
