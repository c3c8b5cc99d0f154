package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The per-node health window and the circuit breaker's state, on an injected clock. */
class UpstreamHealthTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    @Test
    void errorRateAndLatencyOverTheWindow() {
        UpstreamHealth health = new UpstreamHealth(clock);
        for (int i = 1; i <= 10; i++) {
            health.record(i % 5 != 0, Duration.ofMillis(i * 100));
        }
        UpstreamHealth.Snapshot s = health.snapshot();
        assertThat(s.calls()).isEqualTo(10);
        assertThat(s.failures()).isEqualTo(2);
        assertThat(s.errorRate()).isEqualTo(0.2);
        assertThat(s.p50Millis()).isEqualTo(500);
        assertThat(s.p90Millis()).isEqualTo(900);
        assertThat(s.maxMillis()).isEqualTo(1000);
        assertThat(s.lastFailureAt()).isEqualTo(clock.instant());

        clock.advance(UpstreamHealth.WINDOW.plusSeconds(1));
        health.record(true, Duration.ofMillis(40));
        s = health.snapshot();
        assertThat(s.calls()).as("older calls left the window").isEqualTo(1);
        assertThat(s.errorRate()).isZero();
        assertThat(s.p90Millis()).isEqualTo(40);
    }

    @Test
    void keepsAtMostTheLastCalls() {
        UpstreamHealth health = new UpstreamHealth(clock);
        for (int i = 0; i < UpstreamHealth.MAX_CALLS + 50; i++) {
            health.record(false, Duration.ofMillis(1));
        }
        assertThat(health.snapshot().calls()).isEqualTo(UpstreamHealth.MAX_CALLS);
    }

    @Test
    void circuitStatesClosedOpenHalfOpen() {
        CircuitBreaker breaker = new CircuitBreaker(2, Duration.ofSeconds(30), clock);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
