package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.common.ErrorCode;
import dev.pictor.support.MutableClock;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamRegistry.Route;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Duration BASE = Duration.ofSeconds(1);
    private static final List<Route> ONE_ROUTE = List.of(new Route("openai", "gpt-image-1"));
    private static final List<Route> TWO_ROUTES = List.of(new Route("openai", "gpt-image-1"), new Route("sandbox", null));

    private final MutableClock clock = new MutableClock(NOW);

    /** A generator whose every double is {@code fraction} of the way through the asked range. */
    private static RandomGenerator fixed(double fraction) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only doubles are drawn");
            }

            @Override
            public double nextDouble() {
                return fraction;
            }
        };
    }

    private RetryPolicy policy(int maxAttempts, RandomGenerator random) {
        return new RetryPolicy(BASE, maxAttempts, clock, random);
    }

    private static UpstreamException retryable(Duration retryAfter) {
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, "HTTP 503 from openai", true, retryAfter);
    }

    private static Instant dueOf(RetryPolicy.Decision decision) {
        assertThat(decision).isInstanceOf(RetryPolicy.Decision.RetryAt.class);
        return ((RetryPolicy.Decision.RetryAt) decision).due();
    }

    @Test
    void aFailureThatIsNotRetryableFailsTheTaskEvenWithRoutesAndAttemptsLeft() {
        var moderated = new UpstreamException(ErrorCode.CONTENT_MODERATED, "the prompt was refused", false);
        assertThat(policy(3, fixed(0.5)).decide(1, moderated, TWO_ROUTES, 0, false))
                .isEqualTo(new RetryPolicy.Decision.Fail(ErrorCode.CONTENT_MODERATED, "the prompt was refused"));
    }

    @Test
    void aRetryableFailureMovesToTheNextRouteAtOnce() {
        assertThat(policy(3, fixed(0.5)).decide(1, retryable(null), TWO_ROUTES, 0, false))
                .isEqualTo(new RetryPolicy.Decision.SwitchRoute(1, "sandbox"));
    }

    @Test
    void noRouteSwitchWhileAnUpstreamJobRuns() {
        Instant due = dueOf(policy(3, fixed(0.5)).decide(1, retryable(null), TWO_ROUTES, 0, true));
        assertThat(due).isEqualTo(NOW.plus(BASE));
    }

    @Test
    void onTheLastRouteTheSameRouteIsRetriedWithDoublingBackoff() {
        var policy = policy(10, fixed(0.5)); // jitter exactly 1.0
        assertThat(dueOf(policy.decide(1, retryable(null), ONE_ROUTE, 0, false))).isEqualTo(NOW.plusSeconds(1));
        assertThat(dueOf(policy.decide(2, retryable(null), ONE_ROUTE, 0, false))).isEqualTo(NOW.plusSeconds(2));
        assertThat(dueOf(policy.decide(3, retryable(null), ONE_ROUTE, 0, false))).isEqualTo(NOW.plusSeconds(4));
        assertThat(dueOf(policy.decide(2, retryable(null), TWO_ROUTES, 1, false))).isEqualTo(NOW.plusSeconds(2));
    }

    @Test
    void theBackoffStopsDoublingAt64TimesTheBase() {
        var policy = policy(100, fixed(0.5));
        assertThat(policy.backoff(7)).isEqualTo(Duration.ofSeconds(64));
        assertThat(policy.backoff(8)).isEqualTo(Duration.ofSeconds(64));
        assertThat(policy.backoff(60)).isEqualTo(Duration.ofSeconds(64));
    }

    @Test
    void theJitterStaysBetween80And120Percent() {
        assertThat(policy(3, fixed(0.0)).backoff(1)).isEqualTo(Duration.ofMillis(800));
        Duration highest = policy(3, fixed(Math.nextDown(1.0))).backoff(1);
        assertThat(highest).isLessThan(Duration.ofMillis(1200)).isGreaterThan(Duration.ofMillis(1199));
        var seeded = policy(3, new Random(42));
        for (int i = 0; i < 1000; i++) {
            assertThat(seeded.backoff(2)).isBetween(Duration.ofMillis(1600), Duration.ofMillis(2400));
        }
    }

    @Test
    void theBaseIsWhatTheBackoffScales() {
        var fast = new RetryPolicy(Duration.ofMillis(10), 3, clock, fixed(0.5));
        assertThat(fast.backoff(1)).isEqualTo(Duration.ofMillis(10));
        assertThat(fast.backoff(3)).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void retryAfterWinsOnlyWhenLonger() {
        var policy = policy(3, fixed(0.5));
        assertThat(dueOf(policy.decide(1, retryable(Duration.ofSeconds(30)), ONE_ROUTE, 0, false))).isEqualTo(NOW.plusSeconds(30));
        assertThat(dueOf(policy.decide(1, retryable(Duration.ofMillis(100)), ONE_ROUTE, 0, false))).isEqualTo(NOW.plusSeconds(1));
    }

    @Test
    void theDueTimeComesFromTheClock() {
        var policy = policy(3, fixed(0.5));
        clock.advance(Duration.ofHours(1));
        assertThat(dueOf(policy.decide(1, retryable(null), ONE_ROUTE, 0, false))).isEqualTo(NOW.plus(Duration.ofHours(1)).plusSeconds(1));
    }

    @Test
    void afterTheLastAttemptTheTaskFailsSayingHowManyTriesItHad() {
        assertThat(policy(3, fixed(0.5)).decide(3, retryable(null), ONE_ROUTE, 0, false))
                .isEqualTo(new RetryPolicy.Decision.Fail(ErrorCode.UPSTREAM_ERROR, "HTTP 503 from openai (gave up after 3 attempts)"));
        assertThat(policy(3, fixed(0.5)).decide(3, retryable(null), TWO_ROUTES, 1, false))
                .isEqualTo(new RetryPolicy.Decision.Fail(ErrorCode.UPSTREAM_ERROR, "HTTP 503 from openai (gave up after 3 attempts and 2 routes)"));
        assertThat(policy(1, fixed(0.5)).decide(1, retryable(null), ONE_ROUTE, 0, false)).isInstanceOf(RetryPolicy.Decision.Fail.class);
    }

    @Test
    void aClaimOverTheAttemptLimitWasAbandonedByEarlierWorkers() {
        var policy = policy(3, fixed(0.5));
        assertThat(policy.abandoned(3)).isFalse();
        assertThat(policy.abandoned(4)).isTrue();
    }

    @Test
    void aBaseOrLimitThatCannotWorkIsRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, 3, clock, fixed(0.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(BASE, 0, clock, fixed(0.5))).isInstanceOf(IllegalArgumentException.class);
    }
}
