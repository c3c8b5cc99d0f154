package dev.pictor.webhook;

import java.util.regex.Pattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When webhook attempts happen: {@code delays.get(0)} after the event is created, then
 * {@code delays.get(k)} after the k-th failed attempt. The default follows Standard Webhooks:
 * immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about 27.5 hours). Each
 * retry delay is spread by ±{@code jitterPercent} so that receivers recovering from an outage are
 * not hit by every sender at the same second.
 */
public record RetrySchedule(List<Duration> delays, int jitterPercent) {
    public static final String DEFAULT = "0s,5s,5m,30m,2h,5h,10h,10h";

    public RetrySchedule {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one step");
        }
        delays = List.copyOf(delays);
    }

    private static final Pattern STEP = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /** Parses {@code "0s,5s,5m,30m,2h"}: numbers with a unit of ms, s, m, h or d. */
    public static RetrySchedule parse(String text, int jitterPercent) {
        List<Duration> delays = new ArrayList<>();
        for (String part : text.split("\\s*,\\s*")) {
            var m = STEP.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("PICTOR_WEBHOOK_RETRY_SCHEDULE: '" + part + "' is not a duration like 5s, 5m or 2h");
            }
            long n = Long.parseLong(m.group(1));
            delays.add(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return new RetrySchedule(delays, jitterPercent);
    }

    public int maxAttempts() {
        return delays.size();
    }

    /** The delay before the next attempt after {@code attemptsDone} failed ones, or empty when they are used up. */
    public Optional<Duration> after(int attemptsDone, RandomGenerator random) {
        if (attemptsDone >= delays.size()) {
            return Optional.empty();
        }
        Duration base = delays.get(attemptsDone);
        if (jitterPercent <= 0 || base.isZero()) {
            return Optional.of(base);
        }
        double factor = 1 + (random.nextDouble() * 2 - 1) * jitterPercent / 100.0;
        return Optional.of(Duration.ofMillis(Math.round(base.toMillis() * factor)));
    }

    /** The longest the schedule can take, jitter included. */
    public Duration total() {
        Duration sum = delays.stream().reduce(Duration.ZERO, Duration::plus);
        return sum.plus(sum.multipliedBy(jitterPercent).dividedBy(100));
    }
}
