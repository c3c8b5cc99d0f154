package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.MutableClock;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Status reads of an ended task, which are answered from the node's cache of ended tasks. */
class FinishedStatusTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void repeatedReadsAgreeAnotherTenantStillGets404AndLinksAreSignedAgainWhenTheirExpiryMoves() {
        var clock = new MutableClock(Instant.parse("2026-11-21T10:00:10Z"));
        try (TestNode node = TestNode.start(Map.of(), clock)) {
            String id = node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"cached\",\"size\":\"1:1\"}"));
            var first = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
            var second = node.client().get("/api/generate/status/" + id, KEY);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.data()).isEqualTo(first);

            node.client().post("/api/admin/tenants", "{\"id\":\"stranger\"}", KEY);
            String other = node.client().post("/api/admin/keys", "{\"tenant_id\":\"stranger\"}", KEY).data().get("key").asString();
            assertThat(node.client().get("/api/generate/status/" + id, other).status()).isEqualTo(404);

            String url = ApiClient.fileUrls(first).getFirst();
            clock.advance(Duration.ofMinutes(3));
            var later = node.client().get("/api/generate/status/" + id, KEY);
            String laterUrl = ApiClient.fileUrls(later.data()).getFirst();
            assertThat(laterUrl).isNotEqualTo(url);
            assertThat(expires(laterUrl) - expires(url)).isEqualTo(180);
            assertThat(node.client().download(laterUrl).statusCode()).isEqualTo(200);
            assertThat(later.data().get("finished_at")).isEqualTo(first.get("finished_at"));
        }
    }

    @Test
    void aCachedAnswerLeavesWithTheSameHeadersAndBodyAsTheRenderedOne() {
        try (TestNode node = TestNode.start()) {
            String id = node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"headers\",\"size\":\"1:1\"}"));
            node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
            var rendered = node.client().get("/api/generate/status/" + id, KEY).raw();
            var cached = node.client().get("/api/generate/status/" + id, KEY).raw();
            for (var answer : java.util.List.of(rendered, cached)) {
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
                assertThat(answer.headers().firstValue("X-Request-Id")).isPresent();
                assertThat(answer.headers().firstValue("Transfer-Encoding")).isEmpty();
                assertThat(answer.headers().firstValueAsLong("Content-Length"))
                        .hasValue(answer.body().length);
            }
            assertThat(new String(cached.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(new String(rendered.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void aCachedAnswerStillHonoursRevocationAndEachKeysRequestLimit() {
        try (TestNode node = TestNode.start()) {
            String id = node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"limits\",\"size\":\"1:1\"}"));
            node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
            var created = node.client().post("/api/admin/keys", "{\"name\":\"poller\"}", KEY).data();
            String poller = created.get("key").asString();
            assertThat(node.client().get("/api/generate/status/" + id, poller).status()).isEqualTo(200);
            assertThat(node.client().get("/api/generate/status/" + id, poller).status()).isEqualTo(200);
            node.client().post("/api/admin/keys/" + created.get("id").asString() + "/revoke", "{}", KEY);
            var revoked = node.client().get("/api/generate/status/" + id, poller);
            assertThat(revoked.status()).isEqualTo(401);
            assertThat(revoked.body().path("error").path("type").asString()).isEqualTo("authentication_error");

            String limited = node.client().post("/api/admin/keys", "{\"name\":\"limited\",\"rate_limit\":2}", KEY).data().get("key").asString();
            assertThat(node.client().get("/api/generate/status/" + id, limited).status()).isEqualTo(200);
            assertThat(node.client().get("/api/generate/status/" + id, limited).status()).isEqualTo(200);
            var third = node.client().get("/api/generate/status/" + id, limited);
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.raw().headers().firstValue("Retry-After")).isPresent();
        }
    }

    private static long expires(String url) {
        String query = url.substring(url.indexOf('?') + 1);
        for (String pair : query.split("&")) {
            if (pair.startsWith("expires=")) {
                return Long.parseLong(pair.substring("expires=".length()));
            }
        }
        throw new AssertionError("no expires in " + url);
    }
}
