package dev.pictor.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How one upstream's recent calls went on this node: the last {@link #MAX_CALLS} calls within
 * {@link #WINDOW}, each ok or failed with its latency. A failure is what the circuit breaker counts
 * (a retryable error: 5xx, 429, a timeout, a broken answer); a refusal of the request itself
 * (moderation, a bad input) is an answer, so it counts as ok. Per node and in memory, like the
 * breaker, because successful calls are not stored anywhere (the route log keeps failures only) and
 * a health view must not add a write to every task.
 */
public final class UpstreamHealth {
    public static final int MAX_CALLS = 200;
    public static final Duration WINDOW = Duration.ofMinutes(15);

    private record Call(Instant at, boolean ok, long millis) {
    }

    /** The window's figures; latencies are of every call, ok or not, in milliseconds (0 without calls). */
    public record Snapshot(int calls, int failures, long p50Millis, long p90Millis, long maxMillis, Instant lastFailureAt) {
        public double errorRate() {
            return calls == 0 ? 0 : (double) failures / calls;
        }
    }

    private final Clock clock;
    private final Deque<Call> calls = new ArrayDeque<>();
    private Instant lastFailureAt;

    public UpstreamHealth(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(boolean ok, Duration latency) {
        Instant now = clock.instant();
        calls.addLast(new Call(now, ok, Math.max(0, latency.toMillis())));
        if (!ok) {
            lastFailureAt = now;
        }
        while (calls.size() > MAX_CALLS) {
            calls.removeFirst();
        }
    }

    public synchronized Snapshot snapshot() {
        Instant from = clock.instant().minus(WINDOW);
        while (!calls.isEmpty() && calls.peekFirst().at().isBefore(from)) {
            calls.removeFirst();
        }
        long[] millis = calls.stream().mapToLong(Call::millis).sorted().toArray();
        int failures = (int) calls.stream().filter(c -> !c.ok()).count();
        return new Snapshot(millis.length, failures, percentile(millis, 0.5), percentile(millis, 0.9),
                millis.length == 0 ? 0 : millis[millis.length - 1], lastFailureAt);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
