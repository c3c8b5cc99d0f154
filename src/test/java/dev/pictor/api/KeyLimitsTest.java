package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.MutableClock;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per-key limits over HTTP, on a node whose clock the test moves: requests per UTC hour, the address
 * whitelist (with and without a trusted proxy), hourly and daily credit limits, and PATCH validation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyLimitsTest {
    /** 30 seconds before the end of an hour, 10:30 before the end of a UTC day. */
    private static final Instant T0 = Instant.parse("2026-11-21T13:59:30Z");
    private static final String Z_IMAGE = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"a fox\",\"size\":\"1:1\"}}"; // 2 credits
    private final MutableClock clock = new MutableClock(T0);
    private TestNode node;
    private TestNode behindProxy;
    private ApiClient client;

    @BeforeAll
    void start() {
        node = TestNode.start(Map.of(), clock);
        behindProxy = TestNode.start(Map.of("PICTOR_TRUSTED_PROXIES", "127.0.0.1,::1"), clock);
        client = node.client();
    }

    @AfterAll
    void stop() {
        node.close();
        behindProxy.close();
    }

    /** Every test starts at T0, whatever the one before it did to the clock. */
    @org.junit.jupiter.api.BeforeEach
    void backToT0() {
        clock.advance(Duration.between(clock.instant(), T0));
    }

    private static JsonNode createKey(ApiClient c, String body) {
        Response r = c.post("/api/admin/keys", body, TestNode.ADMIN_KEY);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data();
    }

    private Response patch(String keyId, String body, String key) {
        return client.send(HttpRequest.newBuilder(URI.create(client.baseUrl() + "/api/admin/keys/" + keyId))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static Response getFrom(ApiClient c, String path, String key, String forwardedFor) {
        var b = HttpRequest.newBuilder(URI.create(c.baseUrl() + path)).header("Authorization", "Bearer " + key).GET();
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return c.send(b.build());
    }

    private JsonNode listed(String keyId) {
        for (JsonNode k : client.get("/api/admin/keys", TestNode.ADMIN_KEY).data().get("keys")) {
            if (k.get("id").asString().equals(keyId)) {
                return k;
            }
        }
        throw new AssertionError("key " + keyId + " not listed");
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterUntilTheHourEnds() {
        JsonNode created = createKey(client, "{\"name\":\"rl\",\"rate_limit\":3}");
        String key = created.get("key").asString();
        assertThat(created.get("rate_limit").asLong()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(client.get("/api/account", key).status()).isEqualTo(200);
        }
        Response limited = client.get("/api/account", key);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errorType()).isEqualTo("rate_limit_error");
        assertThat(limited.body().get("code").asInt()).isEqualTo(429);
        assertThat(limited.raw().headers().firstValue("Retry-After")).hasValue("30");
        assertThat(listed(created.get("id").asString()).get("hourly_requests").asLong()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(30)); // the next UTC hour: a fresh window
        Response again = client.get("/api/account", key);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.data().get("rate_limit").asLong()).isEqualTo(3);
        assertThat(again.data().get("hourly_requests").asLong()).isEqualTo(1);
        // a key without limits has no request counter (nothing is written for it)
        assertThat(listed(createKey(client, "{}").get("id").asString()).get("hourly_requests").isNull()).isTrue();
    }

    @Test
    void anAddressOutsideTheWhitelistIs403AndAForwardedForHeaderIsBelievedOnlyFromATrustedProxy() {
        String body = "{\"ip_whitelist\":[\"203.0.113.0/24\",\"2001:db8::/32\"]}";
        String direct = createKey(client, body).get("key").asString();
        Response refused = client.get("/api/account", direct);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorType()).isEqualTo("permission_error");
        assertThat(refused.errorMessage()).contains("127.0.0.1").contains("ip_whitelist");
        assertThat(getFrom(client, "/api/account", direct, "203.0.113.9").status()).as("no trusted proxy: a spoofed header is ignored")
                .isEqualTo(403);
        assertThat(client.get("/api/account", createKey(client, "{\"ip_whitelist\":[\"127.0.0.1\"]}").get("key").asString()).status())
                .isEqualTo(200);

        ApiClient proxied = behindProxy.client();
        String viaProxy = createKey(proxied, body).get("key").asString();
        assertThat(getFrom(proxied, "/api/account", viaProxy, null).status()).as("the proxy itself is not whitelisted").isEqualTo(403);
        assertThat(getFrom(proxied, "/api/account", viaProxy, "203.0.113.9").status()).isEqualTo(200);
        assertThat(getFrom(proxied, "/api/account", viaProxy, "2001:db8::7, 127.0.0.1").status()).as("trusted hops skipped").isEqualTo(200);
        assertThat(getFrom(proxied, "/api/account", viaProxy, "203.0.113.9, 198.51.100.4").status())
                .as("the client wrote the left entry itself; the proxy saw 198.51.100.4").isEqualTo(403);
        assertThat(getFrom(proxied, "/api/account", viaProxy, "not-an-address").status()).isEqualTo(403);
    }

    @Test
    void theHourlyCreditLimitHoldsUntilTheHourEndsAndAFailedTaskGivesItsCreditsBack() {
        JsonNode created = createKey(client, "{\"hourly_credit_limit\":4}");
        String key = created.get("key").asString();
        String failing = client.submit(key, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"[sandbox:fail]\",\"size\":\"1:1\"}"));
        assertThat(client.awaitTerminal(key, failing, Duration.ofSeconds(20)).get("status").asString()).isEqualTo("failed");
        String first = client.submit(key, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"a\",\"size\":\"1:1\"}"));
        assertThat(client.post("/api/generate/submit", Z_IMAGE, key).status()).isEqualTo(200);
        Response over = client.post("/api/generate/submit", Z_IMAGE, key);
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.errorType()).isEqualTo("rate_limit_error");
        assertThat(over.errorMessage()).contains("hourly_credit_limit");
        assertThat(over.raw().headers().firstValue("Retry-After")).hasValue("30");
        client.awaitTerminal(key, first, Duration.ofSeconds(20));
        JsonNode listed = listed(created.get("id").asString());
        assertThat(listed.get("hourly_used").decimalValue()).as("the failed task costs nothing").isEqualByComparingTo("4");
        assertThat(listed.get("daily_used").decimalValue()).isEqualByComparingTo("4");
        assertThat(listed.get("hourly_credit_limit").decimalValue()).isEqualByComparingTo("4");

        clock.advance(Duration.ofSeconds(30));
        assertThat(client.post("/api/generate/submit", Z_IMAGE, key).status()).isEqualTo(200);
        assertThat(client.get("/api/account", key).data().get("hourly_used").decimalValue()).isEqualByComparingTo("2");
    }

    @Test
    void theDailyCreditLimitHoldsAcrossHoursUntilTheUtcDayEnds() {
        String key = createKey(client, "{\"daily_credit_limit\":6,\"hourly_credit_limit\":0}").get("key").asString();
        for (int i = 0; i < 3; i++) {
            String id = client.submit(key, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"d\",\"size\":\"1:1\"}"));
            // finished before the clock moves: a task still open past its deadline would time out and be refunded
            assertThat(client.awaitTerminal(key, id, Duration.ofSeconds(20)).get("status").asString()).isEqualTo("finished");
            clock.advance(Duration.ofHours(1));
        }
        // now 16:59:30 UTC: three hours later, the same day
        Response over = client.post("/api/generate/submit", Z_IMAGE, key);
        assertThat(over.status()).as(over.toString()).isEqualTo(429);
        assertThat(over.errorMessage()).contains("daily_credit_limit");
        assertThat(over.raw().headers().firstValue("Retry-After")).hasValue(Long.toString(Duration.ofHours(7).plusSeconds(30).toSeconds()));
        clock.advance(Duration.ofHours(7).plusSeconds(30));
        assertThat(client.post("/api/generate/submit", Z_IMAGE, key).status()).as("a new UTC day").isEqualTo(200);
    }

    @Test
    void patchValidatesEveryFieldLikeSubmitAndChangesTheLimitsAtOnce() {
        JsonNode created = createKey(client, "{\"name\":\"patched\"}");
        String id = created.get("id").asString();
        String key = created.get("key").asString();
        assertThat(client.get("/api/account", key).status()).isEqualTo(200); // cached now
        String[][] bad = {
                {"{\"rate_limit\":-1}", "rate_limit"}, {"{\"rate_limit\":\"10\"}", "rate_limit"}, {"{\"rate_limit\":1.5}", "rate_limit"},
                {"{\"rate_limit\":99999999999999999999}", "rate_limit"}, {"{\"hourly_credit_limit\":-2}", "hourly_credit_limit"},
                {"{\"daily_credit_limit\":1.0001}", "daily_credit_limit"}, {"{\"daily_credit_limit\":true}", "daily_credit_limit"},
                {"{\"daily_credit_limit\":1e400}", "daily_credit_limit"}, {"{\"ip_whitelist\":\"10.0.0.1\"}", "ip_whitelist"},
                {"{\"ip_whitelist\":[\"10.0.0.0/33\"]}", "ip_whitelist[0]"}, {"{\"ip_whitelist\":[\"127.0.0.1\",\"example.com\"]}", "ip_whitelist[1]"},
                {"{\"ip_whitelist\":[\"2001:db8::/129\"]}", "ip_whitelist[0]"}, {"{\"ip_whitelist\":[\"999.1.1.1\"]}", "ip_whitelist[0]"},
                {"{\"ip_whitelist\":[7]}", "ip_whitelist[0]"}, {"{\"scope\":\"operator\"}", "scope"}, {"{\"tenant_id\":\"x\"}", "tenant_id"},
                {"{\"name\":5}", "name"}};
        for (String[] b : bad) {
            Response r = patch(id, b[0], TestNode.ADMIN_KEY);
            assertThat(r.status()).as(b[0]).isEqualTo(400);
            assertThat(r.body().get("error").get("param").asString()).as(b[0]).isEqualTo(b[1]);
        }
        assertThat(client.post("/api/admin/keys", "{\"rate_limit\":-5}", TestNode.ADMIN_KEY).body().get("error").get("param").asString())
                .isEqualTo("rate_limit");
        assertThat(client.post("/api/admin/keys", "{\"ip_whitelist\":[\"1.2.3.4/40\"]}", TestNode.ADMIN_KEY).status()).isEqualTo(400);
        JsonNode unchanged = listed(id);
        assertThat(unchanged.get("rate_limit").asLong()).isZero();
        assertThat(unchanged.get("ip_whitelist").isNull()).isTrue();

        Response ok = patch(id, "{\"ip_whitelist\":[\"198.51.100.0/24\"],\"daily_credit_limit\":2.5,\"name\":\"renamed\"}", TestNode.ADMIN_KEY);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.data().get("name").asString()).isEqualTo("renamed");
        assertThat(ok.data().get("ip_whitelist").get(0).asString()).isEqualTo("198.51.100.0/24");
        assertThat(ok.data().get("daily_credit_limit").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(client.get("/api/account", key).status()).as("the cached check was dropped").isEqualTo(403);
        assertThat(patch(id, "{\"ip_whitelist\":null}", TestNode.ADMIN_KEY).data().get("daily_credit_limit").decimalValue())
                .as("absent fields keep their value").isEqualByComparingTo("2.5");
        assertThat(client.get("/api/account", key).status()).isEqualTo(200);
        assertThat(patch("key_nope", "{}", TestNode.ADMIN_KEY).status()).isEqualTo(404);
    }
}
