package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.MutableClock;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 16 items 9 and 10: one of Pictor's own file URLs as the source of an edit is read from
 * storage (for the same tenant, even after the link expired), and a submit may keep its task and
 * files for less time than the operator's retention.
 */
class FollowUpAndRetentionTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static String generate(TestNode node, String key) {
        String id = node.client().submit(key, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"a lighthouse\",\"size\":\"1:1\"}"));
        JsonNode done = node.client().awaitTerminal(key, id, Duration.ofSeconds(10));
        assertThat(done.get("status").asString()).isEqualTo("finished");
        return ApiClient.fileUrls(done).getFirst();
    }

    /** The same URL on a host that never resolves: if Pictor fetched it over the network, the task would fail. */
    private static String unreachable(String url) {
        return url.replaceFirst("^http://127\\.0\\.0\\.1:\\d+", "https://files.pictor.invalid");
    }

    private static String editBody(String url) {
        return "{\"model\":\"nano-banana-2-edit\",\"input\":{\"prompt\":\"make it night\",\"image_urls\":[" + Json.write(Json.MAPPER.valueToTree(url))
                + "],\"resolution\":\"0.5K\"}}";
    }

    @Test
    void anOwnFileUrlIsReadFromStorageEvenAfterItsLinkExpired() {
        var clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        try (TestNode node = TestNode.start(Map.of("PICTOR_FILE_URL_TTL_SECONDS", "60"), clock)) {
            String url = unreachable(generate(node, KEY));
            clock.advance(Duration.ofMinutes(5));
            assertThat(node.client().download(url.replace("https://files.pictor.invalid", node.baseUrl())).statusCode())
                    .as("the link itself has expired").isEqualTo(403);

            Response submitted = node.client().post("/api/generate/submit", editBody(url), KEY);
            assertThat(submitted.status()).as(submitted.toString()).isEqualTo(200);
            JsonNode edit = node.client().awaitTerminal(KEY, submitted.data().get("task_id").asString(), Duration.ofSeconds(10));
            assertThat(edit.get("status").asString()).as(edit.toString()).isEqualTo("finished");
            assertThat(edit.get("files")).hasSize(1);
        }
    }

    @Test
    void anotherTenantsFileUrlOrADeletedOneIsRefusedAtSubmitWithNothingStored() {
        try (TestNode node = TestNode.start()) {
            String url = generate(node, KEY);
            node.client().post("/api/admin/tenants", "{\"id\":\"stranger\"}", KEY);
            String stranger = node.client().post("/api/admin/keys", "{\"tenant_id\":\"stranger\"}", KEY).data().get("key").asString();

            Response foreign = node.client().post("/api/generate/submit", editBody(unreachable(url)), stranger);
            assertThat(foreign.status()).as(foreign.toString()).isEqualTo(400);
            assertThat(foreign.errorParam()).isEqualTo("input.image_urls[0]");
            assertThat(foreign.errorMessage()).contains("nano-banana-2-edit").doesNotContain("task-unified");
            assertThat(node.client().get("/api/generate/tasks", stranger).data().get("tasks")).isEmpty();

            String taskId = url.replaceFirst(".*/files/([^/]+)/.*", "$1");
            assertThat(node.client().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    node.baseUrl() + "/api/generate/tasks/" + taskId + "/files")).header("Authorization", "Bearer " + KEY).DELETE().build())
                    .status()).isEqualTo(200);
            Response deleted = node.client().post("/api/generate/submit", editBody(unreachable(url)), KEY);
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(400);
            assertThat(deleted.errorParam()).isEqualTo("input.image_urls[0]");
        }
    }

    @Test
    void aForgedSignatureIsNotOursAndIsFetchedLikeAnyUrl() {
        try (TestNode node = TestNode.start()) {
            String forged = unreachable(generate(node, KEY)).replaceFirst("sig=[^&]+", "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
            Response submitted = node.client().post("/api/generate/submit", editBody(forged), KEY);
            assertThat(submitted.status()).isEqualTo(200);
            JsonNode failed = node.client().awaitTerminal(KEY, submitted.data().get("task_id").asString(), Duration.ofSeconds(10));
            assertThat(failed.get("status").asString()).isEqualTo("failed");
            assertThat(failed.get("error_code").asString()).isEqualTo("source_fetch_failed");
        }
    }

    @Test
    void aSubmitsOwnRetentionRemovesItsTaskAndFilesEarly() {
        var clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        try (TestNode node = TestNode.start(Map.of("PICTOR_CLEANUP_INTERVAL_SECONDS", "1"), clock)) {
            Response brief = node.client().post("/api/generate/submit",
                    "{\"model\":\"z-image\",\"input\":{\"prompt\":\"brief\",\"size\":\"1:1\"},\"retention_seconds\":120}", KEY);
            assertThat(brief.status()).as(brief.toString()).isEqualTo(200);
            String briefId = brief.data().get("task_id").asString();
            String briefUrl = ApiClient.fileUrls(node.client().awaitTerminal(KEY, briefId, Duration.ofSeconds(10))).getFirst();
            String keptUrl = generate(node, KEY);

            clock.advance(Duration.ofSeconds(125));
            await().atMost(Duration.ofSeconds(10)).until(() -> node.client().get("/api/generate/status/" + briefId, KEY).status() == 404);
            assertThat(node.client().download(briefUrl).statusCode()).isEqualTo(404);
            assertThat(node.client().download(keptUrl).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRetentionOutsideItsRangeIsA400NamingTheFieldAndNothingIsStored() {
        try (TestNode node = TestNode.start()) {
            for (String value : List.of("30", "259201", "\"1h\"", "1.5", "99999999999999999999")) {
                String body = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"x\",\"size\":\"1:1\"},\"retention_seconds\":" + value + "}";
                for (String path : List.of("/api/generate/submit", "/api/generate/estimate")) {
                    Response r = node.client().post(path, body, KEY);
                    assertThat(r.status()).as(path + " " + value + " " + r).isEqualTo(400);
                    assertThat(r.errorParam()).isEqualTo("retention_seconds");
                }
            }
            assertThat(node.client().get("/api/generate/tasks", KEY).data().get("tasks")).isEmpty();
        }
    }
}
