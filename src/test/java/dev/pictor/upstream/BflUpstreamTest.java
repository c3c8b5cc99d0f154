package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The BFL adapter against a protocol-faithful fake: submit, polling through every status, results, errors. */
class BflUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Map<String, String> env(FakeBfl fake, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_BFL_API_KEY", FakeBfl.KEY, "PICTOR_BFL_BASE_URL", fake.baseUrl(),
                "PICTOR_UPSTREAM_POLL_MS", "100"));
        env.putAll(extra);
        return env;
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void flux2SubmitsThenPollsAndStoresTheResult() {
        try (var fake = new FakeBfl(); TestNode node = TestNode.start(env(fake, Map.of()))) {
            JsonNode data = run(node, "flux-2-pro", "{\"prompt\":\"a lighthouse\",\"size\":\"4:3\",\"resolution\":\"1K\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("bfl");
            assertThat(data.get("files").get(0).get("content_type").asString()).isEqualTo("image/jpeg");
            assertThat(node.client().download(data.get("files").get(0).get("file_url").asString()).statusCode()).isEqualTo(200);

            JsonNode sent = fake.lastSubmit();
            assertThat(fake.calls("/v1/flux-2-pro")).hasSize(1);
            assertThat(sent.get("prompt").asString()).isEqualTo("a lighthouse");
            assertThat(sent.get("width").asInt()).isEqualTo(1168);
            assertThat(sent.get("height").asInt()).isEqualTo(880);
            assertThat(sent.get("output_format").asString()).isEqualTo("jpeg");
            assertThat(fake.calls("/v1/get_result")).hasSizeGreaterThanOrEqualTo(3);
            assertThat(fake.calls("/delivery/")).hasSize(1);
            assertThat(fake.calls().getFirst().header("x-key")).isEqualTo(FakeBfl.KEY);
        }
    }

    @Test
    void kontextEditsSendTheSourceAsInputImage() throws Exception {
        try (var fake = new FakeBfl(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake, Map.of()))) {
            String url = images.image("src.png", 300, 200, 0x123456);
            byte[] expected = node.client().download(url).body();
            JsonNode data = run(node, "flux-kontext-pro-edit", "{\"prompt\":\"make it night\",\"image_urls\":[\"" + url + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            JsonNode sent = fake.lastSubmit();
            assertThat(fake.calls("/v1/flux-kontext-pro")).hasSize(1);
            assertThat(Base64.getDecoder().decode(sent.get("input_image").asString())).isEqualTo(expected);
            assertThat(sent.has("aspect_ratio")).isFalse();
            assertThat(sent.get("output_format").asString()).isEqualTo("png");
            assertThat(data.get("files").get(0).get("content_type").asString()).isEqualTo("image/png");
        }
    }

    @Test
    void moderationDuringPollingFailsTheTask() {
        try (var fake = new FakeBfl(); TestNode node = TestNode.start(env(fake, Map.of()))) {
            fake.plan(1, "Content Moderated");
            JsonNode data = run(node, "flux-2-flex", "{\"prompt\":\"x\",\"size\":\"1:1\",\"resolution\":\"1K\"}");
            assertThat(data.get("error_code").asString()).isEqualTo("content_moderated");
            fake.plan(0, "Request Moderated");
            assertThat(run(node, "flux-2-flex", "{\"prompt\":\"y\",\"size\":\"1:1\",\"resolution\":\"1K\"}").get("error_code").asString())
                    .isEqualTo("content_moderated");
        }
    }

    @Test
    void aRateLimitedSubmitIsRetriedAndValidationErrorsAreNot() {
        try (var fake = new FakeBfl(); TestNode node = TestNode.start(env(fake, Map.of()))) {
            fake.fail(new FakeUpstream.Fault(429, "{\"detail\":\"You have exceeded the number of active tasks\"}",
                    Map.of("Retry-After", "1", "Content-Type", "application/json")));
            JsonNode data = run(node, "flux-kontext-max", "{\"prompt\":\"retry me\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("attempts").get(0).get("message").asString()).contains("HTTP 429").contains("active tasks");

            fake.fail(FakeUpstream.Fault.of(422, "{\"detail\":[{\"loc\":[\"body\",\"width\"],\"msg\":\"width must be a multiple of 16\",\"type\":\"value_error\"}]}"));
            JsonNode invalid = run(node, "flux-kontext-max", "{\"prompt\":\"bad\"}");
            assertThat(invalid.get("error_code").asString()).isEqualTo("invalid_input");
            assertThat(invalid.get("error_message").asString()).contains("width must be a multiple of 16");
        }
    }

    @Test
    void aServerErrorAtSubmitFallsBackToTheNextRoute() {
        try (var fake = new FakeBfl(); TestNode node = TestNode.start(env(fake, Map.of("PICTOR_ROUTES", "flux-2-pro=bfl,sandbox")))) {
            fake.fail(FakeUpstream.Fault.of(503, "{\"detail\":\"overloaded\"}"));
            JsonNode data = run(node, "flux-2-pro", "{\"prompt\":\"x\",\"size\":\"1:1\",\"resolution\":\"1K\"}");
            assertThat(data.get("provider").asString()).isEqualTo("sandbox");
            assertThat(data.get("attempts").get(0).get("provider").asString()).isEqualTo("bfl");
        }
    }

    @Test
    void anotherNodeResumesPollingTheSameJobWithoutSubmittingAgain() throws Exception {
        Path dir = Files.createTempDirectory("pictor-bfl-resume-");
        try (var fake = new FakeBfl()) {
            fake.plan(1_000_000, "Ready");
            String id;
            try (TestNode first = TestNode.start(dir, env(fake, Map.of()))) {
                id = first.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse("{\"prompt\":\"long job\",\"size\":\"1:1\",\"resolution\":\"1K\"}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/v1/get_result").size() >= 2);
            }
            assertThat(fake.submits()).isEqualTo(1);
            fake.finishAll();
            try (TestNode second = TestNode.start(dir, env(fake, Map.of()))) {
                JsonNode data = second.client().awaitTerminal(KEY, id, Duration.ofSeconds(20));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            }
            assertThat(fake.submits()).isEqualTo(1);
        }
    }
}
