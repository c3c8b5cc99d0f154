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
            assertThat(fake.calls("/api/v1/services/aigc/image-generation/generation")).hasSize(1);
            assertThat(sent.get("model").asString()).isEqualTo("wan2.7-image");
            assertThat(sent.at("/input/messages/0/content/0/text").asString()).isEqualTo("a harbour");
            assertThat(sent.get("parameters").get("size").asString()).isEqualTo("1024*768");
            assertThat(sent.get("parameters").get("n").asInt()).isEqualTo(3);
            assertThat(sent.get("parameters").get("seed").asInt()).isEqualTo(9);
        }
    }

    @Test
    void referenceImagesGoInTheContentArrayAsDataUris() {
        try (var fake = new FakeDashScope(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake, null))) {
            String src = images.image("w.png", 200, 100, 4);
            JsonNode data = run(node, "wan-2.7-image-pro", "{\"prompt\":\"like this\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.calls("/api/v1/services/aigc/image-generation/generation")).hasSize(1);
            JsonNode content = fake.lastSubmit().at("/input/messages/0/content");
            assertThat(content.get(0).get("text").asString()).isEqualTo("like this");
            assertThat(content.get(1).get("image").asString()).startsWith("data:image/png;base64,");
            assertThat(fake.lastSubmit().get("model").asString()).isEqualTo("wan2.7-image-pro");
        }
    }

    @Test
    void zImageIsSynchronousAndTextOnly() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, null))) {
            JsonNode data = run(node, "z-image", "{\"prompt\":\"a lamp\",\"size\":\"16:9\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.calls("/api/v1/services/aigc/multimodal-generation/generation")).hasSize(1);
            assertThat(fake.calls("/api/v1/tasks/")).isEmpty();
            assertThat(fake.calls().getFirst().header("X-DashScope-Async")).isNull();
            assertThat(fake.lastSubmit().get("model").asString()).isEqualTo("z-image-turbo");
        }
    }

    @Test
    void sizesBelowWansMinimumAreGeneratedLargerAndScaledToWhatWasAsked() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, null))) {
            JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"small\",\"size\":\"512x512\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.lastSubmit().at("/parameters/size").asString()).isEqualTo("768*768");
            assertThat(data.get("files").get(0).get("width").asInt()).isEqualTo(512);
            assertThat(data.get("files").get(0).get("height").asInt()).isEqualTo(512);

            JsonNode wide = run(node, "wan-2.7-image", "{\"prompt\":\"wide\",\"size\":{\"width\":1024,\"height\":256}}");
            assertThat(wide.get("status").asString()).as(wide.toString()).isEqualTo("finished");
            assertThat(fake.lastSubmit().at("/parameters/size").asString()).isEqualTo("1536*384");
            assertThat(wide.get("files").get(0).get("width").asInt()).isEqualTo(1024);
            assertThat(wide.get("files").get(0).get("height").asInt()).isEqualTo(256);
        }
    }

    @Test
    void theBaseUrlMayCarryTheVersionPathAndATrailingSlash() {
        for (String suffix : new String[] {"/", "/api/v1", "/api/v1/"}) {
            try (var fake = new FakeDashScope(); TestNode node = TestNode.start(Map.of("PICTOR_DASHSCOPE_API_KEY", FakeDashScope.KEY,
                    "PICTOR_DASHSCOPE_BASE_URL", fake.baseUrl() + suffix, "PICTOR_UPSTREAM_POLL_MS", "100"))) {
                JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"any base\"}");
                assertThat(data.get("status").asString()).as(suffix + ": " + data).isEqualTo("finished");
                assertThat(fake.calls("/api/v1/services/aigc/image-generation/generation")).as(suffix).hasSize(1);
            }
        }
    }

    @Test
    void anUpstreamErrorQuotingThePromptNeverStoresIt() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, null))) {
            String prompt = "a secret product launch poster";
            fake.fail(FakeUpstream.Fault.of(400, "{\"request_id\":\"r\",\"code\":\"InvalidParameter\",\"message\":\"cannot draw '" + prompt + "'\"}"));
            JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"" + prompt + "\"}");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("invalid_input");
            assertThat(data.get("error_message").asString()).contains("[prompt]").doesNotContain(prompt);
        }
    }

    @Test
    void accessDeniedIsTheOperatorsToFixNotBadInput() {
        try (var fake = new FakeDashScope(); TestNode node = TestNode.start(env(fake, null))) {
            fake.fail(FakeUpstream.Fault.of(403, "{\"request_id\":\"r\",\"code\":\"AccessDenied\",\"message\":\"current user api does not support synchronous calls\"}"));
            JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"denied\"}");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("operator").doesNotContain("credentials");
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
