package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The DashScope adapter (Wan 2.7, Z-Image) against a protocol-faithful fake. */
class DashScopeUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Map<String, String> env(FakeDashScope fake, String routes) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_DASHSCOPE_API_KEY", FakeDashScope.KEY, "PICTOR_DASHSCOPE_BASE_URL", fake.baseUrl(),
                "PICTOR_UPSTREAM_POLL_MS", "100"));
        if (routes != null) {
            env.put("PICTOR_ROUTES", routes);
        }
        return env;
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void wanSubmitsAsyncPollsAndKeepsThePartialSuccess() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, null))) {
            fake.oneImageFailsInspection = true;
            JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"a harbour\",\"size\":\"1024x768\",\"n\":3,\"seed\":9}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("dashscope");
            assertThat(data.get("files")).hasSize(2);
            JsonNode sent = fake.lastSubmit();
            assertThat(fake.calls("/api/v1/services/aigc/text2image/image-synthesis")).hasSize(1);
            assertThat(sent.get("model").asString()).isEqualTo("wan2.7-image");
            assertThat(sent.get("parameters").get("size").asString()).isEqualTo("1024*768");
            assertThat(sent.get("parameters").get("n").asInt()).isEqualTo(3);
            assertThat(sent.get("parameters").get("seed").asInt()).isEqualTo(9);
        }
    }

    @Test
    void referenceImagesGoToImageToImageAsDataUris() {
        try (var fake = new FakeDashScope(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake, null))) {
            String src = images.image("w.png", 200, 100, 4);
            JsonNode data = run(node, "wan-2.7-image-pro", "{\"prompt\":\"like this\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.calls("/api/v1/services/aigc/image2image/image-synthesis")).hasSize(1);
            assertThat(fake.lastSubmit().get("input").get("images").get(0).asString()).startsWith("data:image/png;base64,");
            assertThat(fake.lastSubmit().get("model").asString()).isEqualTo("wan2.7-image-pro");
        }
    }

    @Test
    void inspectionFailuresAreModerationAndThrottlingIsRetried() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, "z-image=dashscope,sandbox"))) {
            fake.failCode = "DataInspectionFailed";
            JsonNode flagged = run(node, "z-image", "{\"prompt\":\"x\",\"size\":\"1:1\"}");
            assertThat(flagged.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(flagged.get("provider").asString()).isEqualTo("dashscope");
            fake.failCode = null;

            fake.fail(FakeUpstream.Fault.of(429, "{\"request_id\":\"r\",\"code\":\"Throttling.RateQuota\",\"message\":\"Requests rate limit exceeded\"}"));
            JsonNode fellBack = run(node, "z-image", "{\"prompt\":\"y\",\"size\":\"1:1\"}");
            assertThat(fellBack.get("provider").asString()).isEqualTo("sandbox");
            assertThat(fellBack.get("attempts").get(0).get("message").asString()).contains("Throttling.RateQuota");
        }
    }

    @Test
    void aRestartedNodeResumesTheJobAndCancelReachesTheUpstream() throws Exception {
        Path dir = Files.createTempDirectory("pictor-dashscope-");
        try (var fake = new FakeDashScope()) {
            fake.pendingPolls = 1_000_000;
            String id;
            try (TestNode first = TestNode.start(dir, env(fake, null))) {
                id = first.client().submit(KEY, "wan-2.7-image", (ObjectNode) Json.parse("{\"prompt\":\"slow\"}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/api/v1/tasks/").size() >= 2);
            }
            try (TestNode second = TestNode.start(dir, env(fake, null))) {
                int before = fake.calls("/api/v1/tasks/").size();
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/api/v1/tasks/").size() > before);
                assertThat(fake.submits()).isEqualTo(1);
                var cancel = second.client().post("/api/generate/cancel/" + id, "", KEY);
                assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");
                await().atMost(Duration.ofSeconds(5)).until(() -> fake.calls().stream().anyMatch(c -> c.path().endsWith("/cancel")));
            }
        }
    }
}
