package dev.pictor.task;

import java.time.Duration;

/**
 * How tasks are admitted, claimed and retried on this node. Built with {@link #builder()}, which names
 * every value: four of them are durations and five are numbers, and a positional constructor would let
 * a lease and a deadline (or bytes and pixels) swap without a compiler noticing.
 *
 * @param deadline       how long a task may take from submit to its end
 * @param lease          how long a claim holds without a heartbeat
 * @param pollInterval   the claim loop's tick, for work that became due by time or on another node
 * @param retryBase      the first retry backoff; it doubles per attempt ({@link RetryPolicy})
 * @param maxAttempts    claims per task on one route before it fails
 * @param maxInFlight    tasks this node runs at once
 * @param maxPromptChars the server's prompt limit at submit
 * @param maxSourceBytes the size limit of an uploaded source image
 * @param maxSourcePixels the pixel limit of an uploaded source image
 */
public record TaskSettings(Duration deadline, Duration lease, Duration pollInterval, Duration retryBase, int maxAttempts,
                           int maxInFlight, int maxPromptChars, long maxSourceBytes, long maxSourcePixels) {

    public static Builder builder() {
        return new Builder();
    }

    /** Every value must be set; {@link #build} names the first one that was not. */
    public static final class Builder {
        private Duration deadline;
        private Duration lease;
        private Duration pollInterval;
        private Duration retryBase;
        private Integer maxAttempts;
        private Integer maxInFlight;
        private Integer maxPromptChars;
        private Long maxSourceBytes;
        private Long maxSourcePixels;

        private Builder() {
        }

        public Builder deadline(Duration value) {
            deadline = value;
            return this;
        }

        public Builder lease(Duration value) {
            lease = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        public Builder retryBase(Duration value) {
            retryBase = value;
            return this;
        }

        public Builder maxAttempts(int value) {
            maxAttempts = value;
            return this;
        }

        public Builder maxInFlight(int value) {
            maxInFlight = value;
            return this;
        }

        public Builder maxPromptChars(int value) {
            maxPromptChars = value;
            return this;
        }

        public Builder sourceLimits(long maxBytes, long maxPixels) {
            maxSourceBytes = maxBytes;
            maxSourcePixels = maxPixels;
            return this;
        }

        public TaskSettings build() {
            return new TaskSettings(required(deadline, "deadline"), required(lease, "lease"), required(pollInterval, "pollInterval"),
                    required(retryBase, "retryBase"), required(maxAttempts, "maxAttempts"), required(maxInFlight, "maxInFlight"),
                    required(maxPromptChars, "maxPromptChars"), required(maxSourceBytes, "maxSourceBytes"),
                    required(maxSourcePixels, "maxSourcePixels"));
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalStateException("task setting " + name + " is not set");
            }
            return value;
        }
    }
}
