package dev.pictor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PictorClientTest {
    private static final String KEY = "sk-secret-key-1234567890";
    private ApidotFake fake;
    private final List<Duration> sleeps = new ArrayList<>();
    private PictorClient client;

    @BeforeEach
    void start() throws Exception {
        fake = new ApidotFake();
        client = PictorClient.builder().baseUrl(fake.baseUrl() + "/").apiKey(KEY).random(new Random(1))
                .sleeper(sleeps::add).environment(n -> null).build();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void submitAndStatusOnApidotShapes() {
        String id = client.submit(ModelRequest.of("gpt-image-2").put("prompt", "a lighthouse"));
        assertThat(id).isEqualTo("task-unified-1757165031-uyujaw3d");
        assertThat(fake.seen.get(0).authorization()).isEqualTo("Bearer " + KEY);
        assertThat(fake.seen.get(0).path()).isEqualTo("/api/generate/submit");
        assertThat(fake.seen.get(0).body()).isEqualTo("{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"a lighthouse\"}}");
        Task t = client.status(id);
        assertThat(t.finished()).isTrue();
        assertThat(t.createdTime()).isEqualTo(Instant.parse("2025-11-12T10:30:00Z"));
        assertThat(t.files()).extracting(Task.File::fileUrl).containsExactly("https://storage.poyo.ai/generated/image-abc123.jpg");
    }

    @Test
    void parsesPictorAndApidotTimestamps() {
        assertThat(Task.time("2026-04-19T21:19:42")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
        assertThat(Task.time("2026-04-19T21:19:42Z")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
        assertThat(Task.time("2026-04-19T23:19:42+02:00")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
    }

    @Test
    void retries503ThenSucceedsWithTheSameIdempotencyKey() {
        fake.then(503, "{\"code\":503,\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}");
        String id = client.submit(ModelRequest.of("gpt-image-2").put("prompt", "p"));
        assertThat(id).startsWith("task-unified-");
        assertThat(fake.seen).hasSize(2);
        assertThat(fake.seen.get(0).idempotencyKey()).isNotBlank().isEqualTo(fake.seen.get(1).idempotencyKey());
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void resubmitsWithTheSameKeyAfterADroppedConnection() {
        fake.then(-1, "");
        String id = client.submit(ModelRequest.of("gpt-image-2").put("prompt", "p"));
        assertThat(id).startsWith("task-unified-");
        assertThat(fake.seen).hasSize(2);
        assertThat(fake.seen.get(1).idempotencyKey()).isEqualTo(fake.seen.get(0).idempotencyKey());
        assertThat(fake.seen.get(1).body()).isEqualTo(fake.seen.get(0).body());
    }

    @Test
    void neverRetriesA400AndNamesTheParam() {
        fake.then(400, "{\"code\":400,\"error\":{\"message\":\"image_urls is required for gpt-image-2-edit\","
                + "\"type\":\"invalid_request_error\",\"param\":\"input.image_urls\"}}");
        assertThatThrownBy(() -> client.submit(ModelRequest.of("gpt-image-2-edit").put("prompt", "p")))
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> {
                    assertThat(e.param()).isEqualTo("input.image_urls");
                    assertThat(e.getMessage()).doesNotContain(KEY);
                });
        assertThat(fake.seen).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void typedErrors() {
        fake.then(401, "{\"code\":401,\"error\":{\"message\":\"Invalid API key\",\"type\":\"authentication_error\"}}");
        assertThatThrownBy(() -> client.status("x")).isInstanceOf(PictorException.Authentication.class)
                .hasMessageNotContaining(KEY);
        fake.then(402, "{\"code\":402,\"error\":{\"message\":\"Insufficient credits\",\"type\":\"insufficient_credits\"}}");
        assertThatThrownBy(() -> client.status("x")).isInstanceOf(PictorException.InsufficientCredits.class);
        fake.then(404, "{\"code\":404,\"error\":{\"message\":\"Task not found\",\"type\":\"not_found_error\"}}");
        assertThatThrownBy(() -> client.status("missing")).isInstanceOf(PictorException.NotFound.class);
        for (int i = 0; i < 4; i++) {
            fake.then(429, "{\"code\":429,\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}", "7");
        }
        assertThatThrownBy(() -> client.status("x")).isInstanceOfSatisfying(PictorException.RateLimited.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(7L));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(7));
        assertThat(client.toString()).doesNotContain(KEY);
    }

    @Test
    void waitPollsUntilTerminal() throws Exception {
        fake.then(200, "{\"code\":200,\"data\":{\"task_id\":\"t\",\"status\":\"running\",\"progress\":40,\"created_time\":\"2026-04-19T21:19:42\"}}");
        Task t = client.waitFor("t", Duration.ofMinutes(1));
        assertThat(t.finished()).isTrue();
        assertThat(fake.seen).hasSize(2);
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    @Test
    void estimateIsCalledOnTheApidotShapedFake() {
        assertThat(client.estimate(ModelRequest.of("seedream-4.5").put("prompt", "p")).path("credits").asInt()).isEqualTo(12);
        assertThat(fake.seen.get(0).path()).isEqualTo("/api/generate/estimate");
    }

    @Test
    void keyFromEnvironmentFallsBackToApidot() {
        PictorClient c = PictorClient.builder().environment(Map.of("PICTOR_BASE_URL", fake.baseUrl(),
                "APIDOT_API_KEY", "sk-apidot")::get).sleeper(sleeps::add).build();
        c.status("t");
        assertThat(fake.seen.get(0).authorization()).isEqualTo("Bearer sk-apidot");
        assertThat(c.toString()).doesNotContain("sk-apidot");
    }

    @Test
    void verifiesBothWebhookSchemes() throws Exception {
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
        WebhookVerifier v = new WebhookVerifier(secret, Duration.ofMinutes(5), clock);
        String body = "{\"code\":200,\"data\":{\"task_id\":\"task-1\",\"status\":\"finished\",\"files\":[],\"created_time\":\"2026-04-19T21:19:42\"}}";
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
        String std = java.util.Base64.getEncoder().encodeToString(mac.doFinal(("msg_1.1800000000." + body).getBytes()));
        var d = v.verify(Map.of("Webhook-Id", "msg_1", "Webhook-Timestamp", "1800000000", "Webhook-Signature", "v1," + std), body);
        assertThat(d.id()).isEqualTo("msg_1");
        assertThat(d.task().taskId()).isEqualTo("task-1");
        String apidot = java.util.Base64.getEncoder().encodeToString(mac.doFinal("task-1.1800000000".getBytes()));
        assertThat(v.verify(Map.of("X-Webhook-Timestamp", "1800000000", "X-Webhook-Signature", apidot), body).task().finished()).isTrue();
        assertThatThrownBy(() -> v.verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", "1800000000",
                "webhook-signature", "v1," + std), body.replace("finished", "failed")))
                .isInstanceOf(WebhookVerifier.InvalidSignature.class);
        assertThatThrownBy(() -> v.verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", "1799999000",
                "webhook-signature", "v1," + std), body)).hasMessageContaining("tolerance");
    }
}
