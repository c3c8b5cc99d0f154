package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What every answer carries (request ids, no-store) and the paths clients build from a base URL with a trailing slash. */
class RequestHygieneTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aDoubleSlashAfterTheBaseUrlReachesTheSameRoutesBehindTheSameKeyCheck() {
        var submitted = node.client().post("//api/generate/submit", "{\"model\":\"z-image\",\"input\":{\"prompt\":\"slash\",\"size\":\"1:1\"}}", KEY);
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(200);
        String id = submitted.data().get("task_id").asString();
        assertThat(node.client().get("//api/generate/status/" + id, KEY).status()).isEqualTo(200);
        assertThat(node.client().get("//api/generate/status/" + id, null).status()).isEqualTo(401);
        assertThat(node.client().get("//v1/models", KEY).status()).isEqualTo(200);
    }

    @Test
    void theKeyCheckAndNoStoreCoverExactlyThePathsUnderApiAndV1() {
        for (String path : new String[] {"/api/generate/status/x", "///api/generate/status/x", "/v1/models", "//v1/models", "/api/", "/v1/"}) {
            var answer = node.client().get(path, null);
            assertThat(answer.status()).as(path).isEqualTo(401);
            assertThat(answer.raw().headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
        }
        for (String path : new String[] {"/api", "/v1", "/apix/generate", "/v1x/models", "/x/api/models"}) {
            var answer = node.client().get(path, null);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.raw().headers().firstValue("Cache-Control")).as(path).isEmpty();
            assertThat(answer.raw().headers().firstValue("X-Request-Id")).as(path).isPresent();
        }
    }

    @Test
    void taskAnswersAndErrorsAreNeverCached() {
        var submitted = node.client().post("/api/generate/submit", "{\"model\":\"z-image\",\"input\":{\"prompt\":\"cache\",\"size\":\"1:1\"}}", KEY);
        assertThat(submitted.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
        String id = submitted.data().get("task_id").asString();
        assertThat(node.client().get("/api/generate/status/" + id, KEY).raw().headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(node.client().get("/api/generate/status/task-unified-1-nosuchtask", KEY).raw().headers().firstValue("Cache-Control"))
                .hasValue("no-store");
    }

    @Test
    void everyAnswerHasARequestIdTheErrorBodyRepeats() {
        var given = node.client().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/status/task-unified-1-nosuchtask"))
                .header("Authorization", "Bearer " + KEY).header("X-Request-Id", "trace-4bf92f3577b34da6").GET().build());
        assertThat(given.status()).isEqualTo(404);
        assertThat(given.raw().headers().firstValue("X-Request-Id")).hasValue("trace-4bf92f3577b34da6");
        assertThat(given.body().get("error").get("request_id").asString()).isEqualTo("trace-4bf92f3577b34da6");

        var forged = node.client().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/images/generations"))
                .header("Authorization", "Bearer " + KEY).header("X-Request-Id", "x\" injected=1").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        String id = forged.raw().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).startsWith("req_").hasSize(24);
        assertThat(forged.body().get("error").get("request_id").asString()).isEqualTo(id);

        var ok = node.client().get("/api/models", null);
        assertThat(ok.raw().headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void newRequestIdsDifferFromRequestToRequest() throws Exception {
        // Each request runs on a fresh virtual thread: ids must not repeat from one thread to the next.
        var ids = new java.util.concurrent.ConcurrentSkipListSet<String>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            var calls = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 200; i++) {
                calls.add(pool.submit(() -> ids.add(node.client().get("/api/models", null).raw().headers().firstValue("X-Request-Id").orElseThrow())));
            }
            for (var call : calls) {
                call.get();
            }
        }
        assertThat(ids).hasSize(200).allSatisfy(id -> assertThat(id).matches("req_[a-z0-9]{20}"));
    }

    @Test
    void aRequestIdSpellsTwoRandomDrawsInBase36() {
        // 1331 = 35 + 0*36 + 1*36^2: digits lowest first. -1 is 2^64-1 unsigned, reduced below 36^10.
        var draws = new java.util.ArrayDeque<>(java.util.List.of(0L, 1331L));
        assertThat(new RequestIds(draws::removeFirst).newId()).isEqualTo("req_aaaaaaaaaa9abaaaaaaa");
        var all = new java.util.ArrayDeque<>(java.util.List.of(-1L, -1L));
        assertThat(new RequestIds(all::removeFirst).newId()).isEqualTo("req_p2q2egcbbop2q2egcbbo");
    }
}
