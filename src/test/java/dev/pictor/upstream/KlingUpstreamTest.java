package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The Kling adapter against a fake that verifies every JWT and walks jobs through Kling's statuses. */
class KlingUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static TestNode node(FakeKling fake, String routes) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_KLING_ACCESS_KEY", FakeKling.ACCESS, "PICTOR_KLING_SECRET_KEY", FakeKling.SECRET,
                "PICTOR_KLING_BASE_URL", fake.baseUrl(), "PICTOR_UPSTREAM_POLL_MS", "100"));
        if (routes != null) {
            env.put("PICTOR_ROUTES", routes);
        }
        return TestNode.start(env);
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void aSeriesIsSubmittedPolledAndEveryImageStored() {
        try (var fake = new FakeKling(); TestNode node = node(fake, null)) {
            JsonNode data = run(node, "kling-o3-image", "{\"prompt\":\"a comic strip\",\"size\":\"16:9\",\"resolution\":\"2K\","
                    + "\"result_type\":\"series\",\"series_amount\":3}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("kling");
            assertThat(data.get("files")).hasSize(3);
            JsonNode sent = fake.lastSubmit();
            assertThat(sent.get("model_name").asString()).isEqualTo("kling-v3-omni");
            assertThat(sent.get("resolution").asString()).isEqualTo("2k");
            assertThat(sent.get("aspect_ratio").asString()).isEqualTo("16:9");
            assertThat(sent.get("result_type").asString()).isEqualTo("series");
            assertThat(sent.get("series_amount").asInt()).isEqualTo(3);
            assertThat(sent.get("external_task_id").asString()).isEqualTo(data.get("task_id").asString());
            assertThat(fake.calls().stream().filter(c -> c.method().equals("GET") && c.path().startsWith("/v1/"))).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void editsSendSourcesAsBase64AndElementsAsUrls() {
        try (var fake = new FakeKling(); var images = new ImageServer(); TestNode node = node(fake, null)) {
            String src = images.image("k.png", 320, 320, 5);
            byte[] bytes = node.client().download(src).body();
            JsonNode data = run(node, "kling-o1-image-edit", "{\"prompt\":\"@Element1 in the rain\",\"image_urls\":[\"" + src + "\"],"
                    + "\"elements\":[{\"frontal_image_url\":\"https://cdn.example.com/hero.png\"}],\"n\":2}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("files")).hasSize(2);
            JsonNode sent = fake.lastSubmit();
            assertThat(sent.get("model_name").asString()).isEqualTo("kling-image-o1");
            assertThat(Base64.getDecoder().decode(sent.get("image_list").get(0).get("image").asString())).isEqualTo(bytes);
            assertThat(sent.get("image_list").get(1).get("image").asString()).isEqualTo("https://cdn.example.com/hero.png");
            assertThat(sent.get("n").asInt()).isEqualTo(2);
            assertThat(sent.get("aspect_ratio").asString()).isEqualTo("auto");
        }
    }

    @Test
    void contentRiskIsModerationAndBusyIsRetried() {
        try (var fake = new FakeKling(); TestNode node = node(fake, "kling-o3-image=kling,sandbox")) {
            fake.fail(FakeUpstream.Fault.of(400, "{\"code\":1301,\"message\":\"Content security triggered\",\"request_id\":\"r\"}"));
            JsonNode refused = run(node, "kling-o3-image", "{\"prompt\":\"x\"}");
            assertThat(refused.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(refused.get("provider").asString()).isEqualTo("kling");

            fake.failWith = "Failure to pass the risk control system";
            JsonNode failed = run(node, "kling-o3-image", "{\"prompt\":\"y\"}");
            assertThat(failed.get("error_code").asString()).isEqualTo("content_moderated");
            fake.failWith = null;

            fake.fail(FakeUpstream.Fault.of(429, "{\"code\":1303,\"message\":\"Parallel task over resource pack limit\",\"request_id\":\"r\"}"));
            JsonNode fellBack = run(node, "kling-o3-image", "{\"prompt\":\"z\"}");
            assertThat(fellBack.get("provider").asString()).isEqualTo("sandbox");
            assertThat(fellBack.get("attempts").get(0).get("message").asString()).contains("code 1303");
        }
    }

    @Test
    void anotherNodeResumesTheJobWithoutSubmittingAgain() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pictor-kling-resume-");
        try (var fake = new FakeKling()) {
            fake.processingPolls = 1_000_000;
            Map<String, String> env = Map.of("PICTOR_KLING_ACCESS_KEY", FakeKling.ACCESS, "PICTOR_KLING_SECRET_KEY", FakeKling.SECRET,
                    "PICTOR_KLING_BASE_URL", fake.baseUrl(), "PICTOR_UPSTREAM_POLL_MS", "100");
            String id;
            try (TestNode first = TestNode.start(dir, env)) {
                id = first.client().submit(KEY, "kling-o3-image", (ObjectNode) Json.parse("{\"prompt\":\"resume me\"}"));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fake.polls() >= 2);
            }
            fake.processingPolls = 0;
            try (TestNode second = TestNode.start(dir, env)) {
                JsonNode data = second.client().awaitTerminal(KEY, id, Duration.ofSeconds(20));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            }
            assertThat(fake.submits()).isEqualTo(1);
        }
    }

    @Test
    void aBadSecretIsRejectedByTheVendorAndNotRetried() {
        try (var fake = new FakeKling(); TestNode node = TestNode.start(Map.of("PICTOR_KLING_ACCESS_KEY", FakeKling.ACCESS,
                "PICTOR_KLING_SECRET_KEY", "wrong-secret", "PICTOR_KLING_BASE_URL", fake.baseUrl()))) {
            JsonNode data = run(node, "kling-o3-image", "{\"prompt\":\"x\"}");
            assertThat(data.get("error_code").asString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("credentials").doesNotContain("wrong-secret");
            assertThat(fake.submits()).isEqualTo(1);
        }
    }
}
