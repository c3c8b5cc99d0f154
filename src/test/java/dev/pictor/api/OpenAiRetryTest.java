package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI surface's answers to cut connections: an {@code Idempotency-Key} retry attaches to the
 * first task (one generation), and {@code Prefer: respond-async} answers 202 with a place to poll.
 */
class OpenAiRetryTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void aRetryAfterAClientTimeoutGetsTheFirstTasksImageAndNothingIsGeneratedTwice() throws Exception {
        OpenAiModelNamesTest.NodeClient.install();
        try (TestNode node = TestNode.start()) {
            JsonNode result = OpenAiModelNamesTest.NodeClient.runLastJson(List.of("node", "retry.mjs", node.baseUrl() + "/v1", KEY), 120);
            assertThat(result.get("firstTimedOut").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.get("retry").get("images").asInt()).isEqualTo(1);
            assertThat(result.get("retry").get("pngSignature").asString()).isEqualTo("PNG");
            assertThat(result.get("retry").get("replayed").asString()).isEqualTo("true");
            var lighthouses = node.pictor().store().list("default", null, "gpt-image-2", null, null, null, 100);
            assertThat(lighthouses).hasSize(1);
            assertThat(lighthouses.getFirst().id()).isEqualTo(result.get("retry").get("taskId").asString());

            JsonNode async = result.get("async");
            assertThat(async.get("status").asInt()).isEqualTo(202);
            String taskId = async.get("body").get("id").asString();
            assertThat(async.get("location").asString()).isEqualTo("/v1/images/tasks/" + taskId);
            assertThat(async.get("body").get("status").asString()).isIn("queued", "in_progress");
            assertThat(result.get("polled").get("size").asString()).isEqualTo("1024x1024");
            assertThat(node.client().download(result.get("polled").get("url").asString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theTaskEndpointAnswersFailuresInOpenAiShapeAndOnlyToItsTenant() {
        try (TestNode node = TestNode.start()) {
            var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/images/generations"))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json").header("Prefer", "respond-async")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"z-image\",\"prompt\":\"[sandbox:fail=content_moderated]\"}"));
            Response accepted = node.client().send(request.build());
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.body().get("id").asString();
            node.client().awaitTerminal(KEY, id, java.time.Duration.ofSeconds(10));
            Response failed = node.client().get("/v1/images/tasks/" + id, KEY);
            assertThat(failed.status()).isEqualTo(400);
            assertThat(failed.body().get("error").get("code").asString()).isEqualTo("moderation_blocked");

            node.client().post("/api/admin/tenants", "{\"id\":\"elsewhere\"}", KEY);
            String other = node.client().post("/api/admin/keys", "{\"tenant_id\":\"elsewhere\"}", KEY).data().get("key").asString();
            assertThat(node.client().get("/v1/images/tasks/" + id, other).status()).isEqualTo(404);
            assertThat(node.client().get("/v1/images/tasks/" + id + "?response_format=gif", KEY).status()).isEqualTo(400);
        }
    }
}
