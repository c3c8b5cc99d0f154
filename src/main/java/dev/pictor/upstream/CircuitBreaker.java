package dev.pictor.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops calling a route that keeps failing: after {@code threshold} retryable failures in a row it
 * opens for {@code openFor}; then one call is let through, and its failure opens it again at once
 * while a success closes it. Per node: each node learns about a route's health from its own calls.
 */
public final class CircuitBreaker {
    private final int threshold;
    private final Duration openFor;
    private final Clock clock;
    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;

    public CircuitBreaker(int threshold, Duration openFor, Clock clock) {
        this.threshold = threshold;
        this.openFor = openFor;
        this.clock = clock;
    }

    public synchronized boolean allowsCall() {
        return !clock.instant().isBefore(openUntil);
    }

    public synchronized Instant openUntil() {
        return openUntil;
    }

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /**
     * Closed: calls go through. Open: paused until {@link #openUntil}. Half-open: the pause is over
     * and the next call decides (a failure reopens it at once, a success closes it).
     */
    public synchronized State state() {
        if (openUntil.equals(Instant.MIN)) {
            return State.CLOSED;
        }
        return clock.instant().isBefore(openUntil) ? State.OPEN : State.HALF_OPEN;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The route answered (successfully, or with a failure that is not its fault, such as moderation). */
    public synchronized void recordSuccess() {
        consecutiveFailures = 0;
        openUntil = Instant.MIN;
    }

    public synchronized void recordFailure() {
        consecutiveFailures++;
        if (consecutiveFailures >= threshold) {
            openUntil = clock.instant().plus(openFor);
            consecutiveFailures = threshold - 1; // half-open: the next failure reopens it
        }
    }
}
