package dev.pictor.webhook;

import java.time.Duration;

/**
 * Webhook delivery: whether this node sends, the per-attempt timeout, the retry schedule and its jitter, lanes, secret rotation,
 * and the claim lease ({@code lease} zero: twice the timeout plus 10 s).
 */
public record WebhookSettings(boolean delivery, Duration timeout, String retrySchedule, int jitterPercent, int hostConcurrency,
                              Duration secretOverlap, Duration lease) {
    public WebhookSettings {
        if (lease.isNegative()) {
            throw new IllegalArgumentException("PICTOR_WEBHOOK_LEASE_SECONDS must not be negative");
        }
    }

    /**
     * How long a claim on an event lasts without a heartbeat. The heartbeat renews it every third of it,
     * so it need not outlast an attempt; the default leaves room for a stalled heartbeat, a shorter one
     * lets a peer take over a dead node's deliveries sooner.
     */
    public Duration effectiveLease() {
        return lease.isZero() ? timeout.multipliedBy(2).plusSeconds(10) : lease;
    }
}
