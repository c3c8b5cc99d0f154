package dev.pictor.task;

import java.time.Duration;

/**
 * How tasks are accepted and run on a node: the prompt cap, how many run at once, the worker lease,
 * the deadline from submit, the queue poll tick, the attempt limit and the base of the retry backoff,
 * and how long a stopping node lets running tasks finish.
 */
public record TaskSettings(int maxPromptChars, int maxInFlight, Duration lease, Duration deadline, Duration pollInterval,
                           int maxAttempts, Duration retryBase, Duration shutdownGrace) {
}
