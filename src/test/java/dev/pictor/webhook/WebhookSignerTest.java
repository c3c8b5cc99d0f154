package dev.pictor.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    @Test
    void signaturesMatchTheReferenceImplementationByteForByte() throws Exception {
        var random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            String secret = WebhookSigner.newSecret(random);
            String body = "{\"code\":200,\"data\":{\"task_id\":\"task-unified-1-" + i + "\",\"note\":\"ünïcødé ✓\"}}";
            long timestamp = 1_795_000_000L + i;
            assertThat(WebhookSigner.sign(secret, "msg_" + i, timestamp, body))
                    .isEqualTo(new Webhook(secret).sign("msg_" + i, timestamp, body));
        }
    }

    @Test
    void secretsHaveTheStandardShape() {
        String secret = WebhookSigner.newSecret(new SecureRandom());
        assertThat(secret).startsWith("whsec_");
        assertThat(WebhookSigner.key(secret)).hasSize(32);
    }

    @Test
    void theDefaultScheduleIsStandardWebhooksAndJitterStaysInBounds() {
        RetrySchedule schedule = RetrySchedule.parse(RetrySchedule.DEFAULT, 10);
        assertThat(schedule.maxAttempts()).isEqualTo(8);
        assertThat(schedule.delays()).containsExactly(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
        var random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            Duration d = schedule.after(2, random).orElseThrow();
            assertThat(d).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330));
        }
        assertThat(schedule.after(8, random)).isEmpty();
        assertThat(RetrySchedule.parse("0s,250ms,1d", 0).delays()).containsExactly(Duration.ZERO, Duration.ofMillis(250), Duration.ofDays(1));
        assertThatThrownBy(() -> RetrySchedule.parse("5 minutes", 0)).hasMessageContaining("not a duration");
    }

    @Test
    void retryAfterIsReadAsSecondsOrADateAndBounded() {
        var now = java.time.Instant.parse("2026-11-21T12:00:00Z");
        assertThat(WebhookDispatcher.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(WebhookDispatcher.retryAfter("Sat, 21 Nov 2026 12:10:00 GMT", now)).isEqualTo(Duration.ofMinutes(10));
        assertThat(WebhookDispatcher.retryAfter("soon", now)).isZero();
        assertThat(WebhookDispatcher.retryAfter("99999999", now)).isEqualTo(Duration.ofHours(24));
        assertThat(WebhookDispatcher.retryAfter(null, now)).isZero();
    }
}
