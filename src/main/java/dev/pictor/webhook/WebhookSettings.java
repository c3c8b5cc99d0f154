package dev.pictor.webhook;

import java.time.Duration;

/** Webhook delivery: whether this node sends, the per-attempt timeout, the retry schedule and its jitter, lanes, secret rotation. */
public record WebhookSettings(boolean delivery, Duration timeout, String retrySchedule, int jitterPercent, int hostConcurrency,
                              Duration secretOverlap) {
}
