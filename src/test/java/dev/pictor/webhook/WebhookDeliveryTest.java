package dev.pictor.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.MutableClock;
import dev.pictor.support.Receiver;
import dev.pictor.support.Receiver.Reply;
import dev.pictor.support.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Webhook delivery against real receivers on loopback. Retry timing is driven by an injected clock:
 * the tests move time forward instead of sleeping through the schedule.
 */
class WebhookDeliveryTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String INPUT = "{\"prompt\":\"a fox\",\"size\":\"1:1\"}";

    private static String submit(TestNode node, String callbackUrl) {
        var body = Json.object().put("model", "z-image").put("callback_url", callbackUrl);
        body.set("input", Json.parse(INPUT));
        Response r = node.client().post("/api/generate/submit", body, KEY);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data().get("task_id").asString();
    }

    /** The task's one webhook event, or null while the task has not ended. */
    private static JsonNode eventOf(TestNode node, String taskId) {
        Response r = node.client().get("/api/webhooks/events?task_id=" + taskId, KEY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.data().get("events").size()).isLessThanOrEqualTo(1);
        return r.data().get("events").isEmpty() ? null : r.data().get("events").get(0);
    }

    private static int attemptsOf(TestNode node, String taskId) {
        JsonNode e = eventOf(node, taskId);
        return e == null ? -1 : e.get("attempts").asInt();
    }

    private static JsonNode awaitEventStatus(TestNode node, String taskId, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Response r = node.client().get("/api/webhooks/events?task_id=" + taskId, KEY);
            if (r.data().get("events").isEmpty()) {
                return false;
            }
            last[0] = r.data().get("events").get(0);
            return last[0].get("status").asString().equals(status);
        });
        return last[0];
    }

    private static Map<String, List<String>> headers(Receiver.Request request) {
        return new HashMap<>(request.headers());
    }

    @Test
    void theBodyIsTheStatusAnswerAndTheSignaturesVerifyWithTheReferenceLibrary() throws Exception {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            String taskId = submit(node, receiver.url("/hook"));
            Receiver.Request request = receiver.awaitRequests(1, Duration.ofSeconds(15)).getFirst();
            String secret = node.client().get("/api/webhooks/secret", KEY).data().get("secret").asString();
            assertThat(secret).startsWith("whsec_");

            JsonNode body = Json.parse(request.body());
            JsonNode status = node.client().get("/api/generate/status/" + taskId, KEY).body();
            assertThat(body.get("code").asInt()).isEqualTo(200);
            assertThat(body.get("data").get("task_id").asString()).isEqualTo(taskId);
            assertThat(body.get("data").get("status").asString()).isEqualTo("finished");
            assertThat(body.get("data").propertyNames()).containsExactlyElementsOf(status.get("data").propertyNames());
            assertThat(body.get("data").get("files")).hasSize(1);
            assertThat(body.get("data").get("output").get("files")).isEqualTo(body.get("data").get("files"));
            assertThat(node.client().download(body.get("data").get("files").get(0).get("file_url").asString()).statusCode()).isEqualTo(200);
            assertThat(request.header("content-type")).isEqualTo("application/json");

            new Webhook(secret).verify(request.body(), headers(request));

            assertThatThrownBy(() -> new Webhook(secret).verify(request.body().replace("finished", "failed"), headers(request)))
                    .isInstanceOf(WebhookVerificationException.class);
            String otherSecret = WebhookSigner.newSecret(new java.security.SecureRandom());
            assertThatThrownBy(() -> new Webhook(otherSecret).verify(request.body(), headers(request)))
                    .isInstanceOf(WebhookVerificationException.class);
            var stale = headers(request);
            long old = Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond();
            stale.put("webhook-timestamp", List.of(Long.toString(old)));
            stale.put("webhook-signature", List.of(WebhookSigner.sign(secret, request.header("webhook-id"), old, request.body())));
            assertThatThrownBy(() -> new Webhook(secret).verify(request.body(), stale)).isInstanceOf(WebhookVerificationException.class);

            // The APIDot/PoYo-style signature: base64 HMAC-SHA256 of task_id.timestamp with the same key.
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            String expected = Base64.getEncoder().encodeToString(mac.doFinal(
                    (taskId + "." + request.header("x-webhook-timestamp")).getBytes(StandardCharsets.UTF_8)));
            assertThat(request.header("x-webhook-signature")).isEqualTo(expected);
            assertThat(request.header("x-webhook-timestamp")).isEqualTo(request.header("webhook-timestamp"));

            JsonNode event = awaitEventStatus(node, taskId, "delivered");
            assertThat(event.get("id").asString()).isEqualTo(request.header("webhook-id"));
            assertThat(event.get("attempt_log")).hasSize(1);
            assertThat(event.get("attempt_log").get(0).get("http_status").asInt()).isEqualTo(200);
            assertThat(event.get("attempt_log").get(0).get("response_excerpt").asString()).isEqualTo("{\"ok\":true}");
        }
    }

    @Test
    void aFailedDeliveryIsRetriedOnTheScheduleWithTheSameWebhookId() {
        var clock = new MutableClock(Instant.now());
        try (TestNode node = TestNode.start(Map.of(), clock); Receiver receiver = new Receiver()) {
            receiver.script(Reply.status(500));
            String taskId = submit(node, receiver.url("/hook"));
            receiver.awaitRequests(1, Duration.ofSeconds(15));
            await().atMost(Duration.ofSeconds(10)).until(() -> attemptsOf(node, taskId) == 1);
            JsonNode pending = eventOf(node, taskId);
            assertThat(pending.get("status").asString()).isEqualTo("pending");
            Instant next = LocalDateTime.parse(pending.get("next_attempt_time").asString()).toInstant(ZoneOffset.UTC);
            assertThat(Duration.between(clock.instant(), next)).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(7));
            assertThat(receiver.requests()).hasSize(1);

            clock.advance(Duration.ofSeconds(6));
            List<Receiver.Request> both = receiver.awaitRequests(2, Duration.ofSeconds(10));
            assertThat(both.get(1).header("webhook-id")).isEqualTo(both.get(0).header("webhook-id"));
            assertThat(both.get(1).body()).isEqualTo(both.get(0).body());

            JsonNode delivered = awaitEventStatus(node, taskId, "delivered");
            assertThat(delivered.get("attempts").asInt()).isEqualTo(2);
            assertThat(delivered.get("attempt_log").get(0).get("http_status").asInt()).isEqualTo(500);
            assertThat(delivered.get("attempt_log").get(0).get("error").asString()).isEqualTo("HTTP 500");
            assertThat(delivered.get("attempt_log").get(1).get("http_status").asInt()).isEqualTo(200);
        }
    }

    @Test
    void timeoutsAndRedirectsAreFailuresThatRetry() {
        var clock = new MutableClock(Instant.now());
        try (TestNode node = TestNode.start(Map.of("PICTOR_WEBHOOK_TIMEOUT_MS", "300"), clock); Receiver receiver = new Receiver()) {
            receiver.script(Reply.slow(Duration.ofSeconds(3)), new Reply(302, Duration.ZERO, Map.of("Location", "https://elsewhere.example/hook")));
            String taskId = submit(node, receiver.url("/hook"));
            await().atMost(Duration.ofSeconds(15)).until(() -> attemptsOf(node, taskId) == 1);
            JsonNode afterTimeout = eventOf(node, taskId);
            assertThat(afterTimeout.get("attempt_log").get(0).get("error").asString()).contains("did not answer in time");
            assertThat(afterTimeout.get("attempt_log").get(0).get("http_status").isNull()).isTrue();

            clock.advance(Duration.ofSeconds(6));
            await().atMost(Duration.ofSeconds(15)).until(() -> attemptsOf(node, taskId) == 2);
            JsonNode afterRedirect = eventOf(node, taskId);
            assertThat(afterRedirect.get("status").asString()).isEqualTo("pending");
            assertThat(afterRedirect.get("attempt_log").get(1).get("error").asString())
                    .isEqualTo("HTTP 302 redirect not followed (Location: https://elsewhere.example/hook)");

            clock.advance(Duration.ofMinutes(6));
            awaitEventStatus(node, taskId, "delivered");
            assertThat(receiver.requests()).extracting(Receiver.Request::path).containsOnly("/hook");
        }
    }

    @Test
    void a410DisablesTheUrlForTheTenantUntilRedelivered() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            receiver.script(Reply.status(410));
            String first = submit(node, receiver.url("/gone"));
            JsonNode disabled = awaitEventStatus(node, first, "disabled");
            assertThat(disabled.get("attempts").asInt()).isEqualTo(1);
            assertThat(disabled.get("last_error").asString()).contains("410");

            String second = submit(node, receiver.url("/gone"));
            JsonNode skipped = awaitEventStatus(node, second, "disabled");
            assertThat(skipped.get("attempts").asInt()).isZero();
            assertThat(receiver.requests()).hasSize(1);

            Response redeliver = node.client().post("/api/webhooks/events/" + skipped.get("id").asString() + "/redeliver", "{}", KEY);
            assertThat(redeliver.status()).isEqualTo(200);
            awaitEventStatus(node, second, "delivered");
            assertThat(receiver.requests()).hasSize(2);
        }
    }

    @Test
    void a429IsRetriedNoSoonerThanRetryAfter() {
        var clock = new MutableClock(Instant.now());
        try (TestNode node = TestNode.start(Map.of(), clock); Receiver receiver = new Receiver()) {
            receiver.script(new Reply(429, Duration.ZERO, Map.of("Retry-After", "120")));
            String taskId = submit(node, receiver.url("/hook"));
            await().atMost(Duration.ofSeconds(15)).until(() -> attemptsOf(node, taskId) == 1);
            Instant next = LocalDateTime.parse(eventOf(node, taskId).get("next_attempt_time").asString()).toInstant(ZoneOffset.UTC);
            assertThat(Duration.between(clock.instant(), next)).isBetween(Duration.ofSeconds(118), Duration.ofSeconds(121));
            clock.advance(Duration.ofSeconds(60));
            assertThat(eventOf(node, taskId).get("status").asString()).isEqualTo("pending");
            clock.advance(Duration.ofSeconds(61));
            awaitEventStatus(node, taskId, "delivered");
        }
    }

    @Test
    void afterTheLastAttemptTheEventIsDeadAndCanBeRedeliveredInBulk() {
        var clock = new MutableClock(Instant.now());
        try (TestNode node = TestNode.start(Map.of("PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,10s"), clock); Receiver receiver = new Receiver()) {
            receiver.script(Reply.status(503), Reply.status(503));
            Instant before = clock.instant().minusSeconds(1);
            String taskId = submit(node, receiver.url("/hook"));
            await().atMost(Duration.ofSeconds(15)).until(() -> attemptsOf(node, taskId) == 1);
            clock.advance(Duration.ofSeconds(12));
            JsonNode dead = awaitEventStatus(node, taskId, "dead");
            assertThat(dead.get("attempts").asInt()).isEqualTo(2);

            Response list = node.client().get("/api/webhooks/events?status=dead", KEY);
            assertThat(list.data().get("events")).extracting(e -> e.get("task_id").asString()).containsExactly(taskId);

            Response bulk = node.client().post("/api/webhooks/redeliver", "{\"since\":\"" + before + "\"}", KEY);
            assertThat(bulk.data().get("redelivered").asInt()).isEqualTo(1);
            JsonNode delivered = awaitEventStatus(node, taskId, "delivered");
            assertThat(delivered.get("attempts").asInt()).isEqualTo(3);
            assertThat(node.client().get("/api/webhooks/events?status=bogus", KEY).status()).isEqualTo(400);
        }
    }

    @Test
    void aSlowReceiverDoesNotDelayAFastOne() {
        try (TestNode node = TestNode.start(Map.of("PICTOR_WEBHOOK_TIMEOUT_MS", "20000"));
             Receiver slow = new Receiver(Reply.slow(Duration.ofSeconds(10)));
             Receiver fast = new Receiver()) {
            for (int i = 0; i < 6; i++) {
                submit(node, slow.url("/slow"));
            }
            slow.awaitRequests(4, Duration.ofSeconds(15)); // the slow host's slots are all taken now
            Instant start = Instant.now();
            String fastTask = submit(node, fast.url("/fast"));
            fast.awaitRequests(1, Duration.ofSeconds(5));
            assertThat(Duration.between(start, fast.requests().getFirst().at())).isLessThan(Duration.ofSeconds(3));
            awaitEventStatus(node, fastTask, "delivered");
            assertThat(slow.requests()).hasSizeLessThanOrEqualTo(4);
        }
    }

    @Test
    void rotationSignsWithBothSecretsDuringTheOverlap() throws Exception {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            String old = node.client().get("/api/webhooks/secret", KEY).data().get("secret").asString();
            Response rotated = node.client().post("/api/admin/webhooks/secret/rotate", "{\"tenant_id\":\"default\",\"overlap_hours\":24}", KEY);
            String fresh = rotated.data().get("secret").asString();
            assertThat(fresh).isNotEqualTo(old).startsWith("whsec_");
            assertThat(rotated.data().get("active_secrets")).hasSize(2);

            submit(node, receiver.url("/hook"));
            Receiver.Request request = receiver.awaitRequests(1, Duration.ofSeconds(15)).getFirst();
            assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
            new Webhook(fresh).verify(request.body(), headers(request));
            new Webhook(old).verify(request.body(), headers(request));

            Response noOverlap = node.client().post("/api/admin/webhooks/secret/rotate", "{\"overlap_hours\":0}", KEY);
            assertThat(noOverlap.data().get("active_secrets")).hasSize(1);
            String plainKey = node.client().post("/api/admin/keys", "{}", KEY).data().get("key").asString();
            assertThat(node.client().post("/api/admin/webhooks/secret/rotate", "{}", plainKey).status()).isEqualTo(403);
        }
    }

    @Test
    void callbackUrlsArePolicedAtSubmitAndEventsAreTenantScoped() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest", "http://[::1]:9/x", "ftp://example.com/x")) {
                var body = Json.object().put("model", "z-image").put("callback_url", url);
                body.set("input", Json.parse(INPUT));
                Response r = node.client().post("/api/generate/submit", body, KEY);
                assertThat(r.status()).as(url).isEqualTo(400);
                assertThat(r.body().get("error").get("param").asString()).isEqualTo("callback_url");
            }
            String taskId = submit(node, receiver.url("/hook"));
            JsonNode event = awaitEventStatus(node, taskId, "delivered");

            node.client().post("/api/admin/tenants", "{\"id\":\"other\"}", KEY);
            String other = node.client().post("/api/admin/keys", "{\"tenant_id\":\"other\"}", KEY).data().get("key").asString();
            assertThat(node.client().get("/api/webhooks/events/" + event.get("id").asString(), other).status()).isEqualTo(404);
            assertThat(node.client().post("/api/webhooks/events/" + event.get("id").asString() + "/redeliver", "{}", other).status()).isEqualTo(404);
            assertThat(node.client().get("/api/webhooks/events", other).data().get("events")).isEmpty();
            assertThat(node.client().get("/api/webhooks/secret", other).data().get("secret").asString())
                    .isNotEqualTo(node.client().get("/api/webhooks/secret", KEY).data().get("secret").asString());
        }
    }

    @Test
    void failedTasksSendTheirWebhookToo() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook"));
            body.set("input", Json.parse("{\"prompt\":\"[sandbox:fail=content_moderated]\",\"size\":\"1:1\"}"));
            node.client().post("/api/generate/submit", body, KEY);
            JsonNode payload = Json.parse(receiver.awaitRequests(1, Duration.ofSeconds(15)).getFirst().body());
            assertThat(payload.get("data").get("status").asString()).isEqualTo("failed");
            assertThat(payload.get("data").get("error_code").asString()).isEqualTo("content_moderated");
        }
    }
}
