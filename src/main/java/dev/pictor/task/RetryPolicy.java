package dev.pictor.task;

import dev.pictor.common.ErrorCode;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamRegistry.Route;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What to do after a failed attempt, decided from values alone (no store, no threads), so every
 * branch has a fast unit test. Not retryable (moderation, invalid input, ...): the task fails.
 * Retryable (connect errors, 429, 5xx, timeouts, an open circuit): the next route takes over at once
 * when the model has one; otherwise the same route is tried again after a backoff of
 * {@code base}, 2·base, 4·base, ... (doubling up to 64·base), times a jitter of 0.8 to 1.2 so that
 * tasks failed together do not come back together, and never sooner than the upstream's Retry-After;
 * after {@code maxAttempts} attempts on the last route the task fails.
 */
final class RetryPolicy {
    /** The backoff stops doubling after this many doublings (64 × base; 64 s with the default base). */
    private static final int MAX_DOUBLINGS = 6;

    private final Duration base;
    private final int maxAttempts;
    private final Clock clock;
    private final RandomGenerator random;

    /** {@code random} is shared by all runners: give a thread-safe one ({@link java.util.Random} is). */
    RetryPolicy(Duration base, int maxAttempts, Clock clock, RandomGenerator random) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("the retry base must be positive, got " + base);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        this.base = base;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.random = random;
    }

    /** The outcome of a failed attempt. */
    sealed interface Decision {
        /** The task fails with this code and message. */
        record Fail(ErrorCode code, String message) implements Decision {
        }

        /** The task moves to route {@code routeIndex} (served by {@code upstream}), due now, as a fresh start there. */
        record SwitchRoute(int routeIndex, String upstream) implements Decision {
        }

        /** The task is tried again on the same route at {@code due}. */
        record RetryAt(Instant due) implements Decision {
        }
    }

    /**
     * A claim whose attempt number is over the limit was abandoned by that many workers before (crashes,
     * shutdowns): it is not run again.
     */
    boolean abandoned(int attempt) {
        return attempt > maxAttempts;
    }

    /**
     * @param attempt            the claim's attempt number on the current route (1 for the first)
     * @param failure            what the attempt failed with
     * @param routes             the model's routes, in fallback order
     * @param routeIndex         the route the attempt ran on
     * @param upstreamJobRunning whether an upstream job is running for the task: it is worth waiting
     *                           for, so a failed poll is retried on its route, never abandoned for the next
     */
    Decision decide(int attempt, UpstreamException failure, List<Route> routes, int routeIndex, boolean upstreamJobRunning) {
        if (!failure.retryable()) {
            return new Decision.Fail(failure.code(), failure.getMessage());
        }
        int next = routeIndex + 1;
        if (next < routes.size() && !upstreamJobRunning) {
            return new Decision.SwitchRoute(next, routes.get(next).upstream());
        }
        if (attempt < maxAttempts) {
            Duration backoff = backoff(attempt);
            Duration asked = failure.retryAfter();
            return new Decision.RetryAt(clock.instant().plus(asked != null && asked.compareTo(backoff) > 0 ? asked : backoff));
        }
        return new Decision.Fail(failure.code(), failure.getMessage() + " (gave up after " + attempt + " attempts"
                + (routes.size() > 1 ? " and " + routes.size() + " routes" : "") + ")");
    }

    /** base × 2^(attempt-1), capped, times a jitter in [0.8, 1.2). */
    Duration backoff(int attempt) {
        long doublings = Math.min(Math.max(attempt - 1, 0), MAX_DOUBLINGS);
        double nanos = base.toNanos() * (double) (1L << doublings) * random.nextDouble(0.8, 1.2);
        return Duration.ofNanos((long) nanos);
    }
}
