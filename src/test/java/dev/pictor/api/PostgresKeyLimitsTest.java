package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient;
import dev.pictor.support.MutableClock;
import dev.pictor.support.Postgres;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes on one PostgreSQL: a key's limits are counted once for both, and revoking or editing a
 * key on one node takes effect on the other at once. Both clocks stand still, so a cached key check
 * can only go away through the peer notification, never by its TTL running out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresKeyLimitsTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:15:00Z");
    private static final String Z_IMAGE = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"a fox\",\"size\":\"1:1\"}}"; // 2 credits
    private TestNode a;
    private TestNode b;

    @BeforeAll
    void start() {
        Map<String, String> env = Map.of("PICTOR_DB_URL", Postgres.newDatabase(), "PICTOR_DB_USER", "postgres");
        a = TestNode.start(env, new MutableClock(T0));
        b = TestNode.start(env, new MutableClock(T0));
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
    }

    private static tools.jackson.databind.JsonNode createKey(ApiClient c, String body) {
        var r = c.post("/api/admin/keys", body, TestNode.ADMIN_KEY);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data();
    }

    @Test
    void aRevocationOrAnEditOnOneNodeTakesEffectOnThePeerAtOnce() {
        var created = createKey(a.client(), "{\"name\":\"shared\"}");
        String key = created.get("key").asString();
        String id = created.get("id").asString();
        assertThat(b.client().get("/api/account", key).status()).isEqualTo(200); // B has it cached now
        assertThat(b.client().get("/api/account", key).status()).isEqualTo(200);

        var patched = a.client().send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/api/admin/keys/" + id))
                .header("Authorization", "Bearer " + TestNode.ADMIN_KEY).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"ip_whitelist\":[\"192.0.2.1\"]}")).build());
        assertThat(patched.status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> b.client().get("/api/account", key).status() == 403);

        a.client().send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/api/admin/keys/" + id))
                .header("Authorization", "Bearer " + TestNode.ADMIN_KEY).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"ip_whitelist\":null}")).build());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> b.client().get("/api/account", key).status() == 200);

        assertThat(a.client().post("/api/admin/keys/" + id + "/revoke", "{}", TestNode.ADMIN_KEY).status()).isEqualTo(200);
        assertThat(a.client().get("/api/account", key).status()).as("on the revoking node: at once").isEqualTo(401);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> b.client().get("/api/account", key).status() == 401);
    }

    @Test
    void theRateLimitIsCountedOnceForBothNodes() {
        String key = createKey(a.client(), "{\"rate_limit\":4}").get("key").asString();
        assertThat(a.client().get("/api/account", key).status()).isEqualTo(200);
        assertThat(b.client().get("/api/account", key).status()).isEqualTo(200);
        assertThat(a.client().get("/api/account", key).status()).isEqualTo(200);
        assertThat(b.client().get("/api/account", key).status()).isEqualTo(200);
        var limited = a.client().get("/api/account", key);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.raw().headers().firstValue("Retry-After")).hasValue(Long.toString(Duration.ofMinutes(45).toSeconds()));
        assertThat(b.client().get("/api/account", key).status()).isEqualTo(429);
    }

    @Test
    void fiftyConcurrentSubmitsOnTwoNodesAgainstAnHourlyLimitForTenAcceptExactlyTen() throws Exception {
        String key = createKey(a.client(), "{\"hourly_credit_limit\":20}").get("key").asString();
        assertThat(concurrentSubmits(a, b, key, 50)).isEqualTo(10);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                a.client().get("/api/account", key).data().get("hourly_used").decimalValue().compareTo(new java.math.BigDecimal(20)) == 0);
    }

    /** Submits {@code n} z-image tasks at once, alternating nodes; returns how many were accepted (the rest must be 429 or 402). */
    static int concurrentSubmits(TestNode a, TestNode b, String key, int n) throws Exception {
        var start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                ApiClient via = (i % 2 == 0 ? a : b).client();
                Callable<Integer> call = () -> {
                    start.await();
                    return via.post("/api/generate/submit", Z_IMAGE, key).status();
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            int accepted = 0;
            for (Future<Integer> f : results) {
                int status = f.get();
                assertThat(status).isIn(200, 402, 429);
                accepted += status == 200 ? 1 : 0;
            }
            return accepted;
        }
    }
}
