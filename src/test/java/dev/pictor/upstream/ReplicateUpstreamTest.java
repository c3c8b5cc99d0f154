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

/** The Replicate adapter against a fake of Replicate's predictions API. */
class ReplicateUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String FLUX = "{\"prompt\":\"p\",\"size\":\"1:1\",\"resolution\":\"1K\"}";

    private static Map<String, String> env(FakeReplicate fake, String routes) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_REPLICATE_API_TOKEN", FakeReplicate.KEY,
                "PICTOR_REPLICATE_BASE_URL", fake.baseUrl() + "/v1", "PICTOR_UPSTREAM_POLL_MS", "50"));
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
    void createsAPredictionOnTheOfficialModelAndPollsUrlsGet() {
        try (var fake = new FakeReplicate(); TestNode node = TestNode.start(env(fake, null))) {
            fake.pendingPolls = 4;
            JsonNode data = run(node, "flux-2-pro", "{\"prompt\":\"a kite\",\"size\":\"16:9\",\"resolution\":\"1K\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("replicate");
            assertThat(fake.calls("/v1/models/black-forest-labs/flux-2-pro/predictions")).hasSize(1);
            assertThat(fake.calls("/v1/models/").getFirst().header("Prefer")).isEqualTo("wait=5");
            JsonNode input = fake.lastSubmit().get("input");
            assertThat(input.get("prompt").asString()).isEqualTo("a kite");
            assertThat(input.get("width").asInt()).isGreaterThan(input.get("height").asInt());
            assertThat(input.get("output_format").asString()).isEqualTo("jpg");
            assertThat(fake.calls("/v1/predictions/p1")).hasSizeGreaterThanOrEqualTo(5);
            assertThat(fake.calls("/delivery/")).hasSize(1);
        }
    }

    @Test
    void aVersionedRouteUsesPredictionsWithVersionAndAFastModelFinishesInTheCreateCall() {
        try (var fake = new FakeReplicate(); TestNode node = TestNode.start(env(fake, "nano-banana-2=replicate:acme/fast:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"))) {
            fake.pendingPolls = 0;
            JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"quick\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.calls("/v1/predictions")).hasSize(1);
            assertThat(fake.lastSubmit().get("version").asString()).startsWith("5c7d5dc6");
        }
    }

    @Test
    void editsSendDataUrisAndAFailedPredictionSaysWhy() {
        try (var fake = new FakeReplicate(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake, null))) {
            String src = images.image("s.png", 100, 100, 0x777777);
            JsonNode data = run(node, "flux-2-pro-edit", "{\"prompt\":\"e\",\"size\":\"1:1\",\"resolution\":\"1K\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.lastSubmit().at("/input/input_images/0").asString()).startsWith("data:image/png;base64,");
            fake.failWith = "NSFW content detected. Try running it again, or try a different prompt.";
            JsonNode flagged = run(node, "flux-2-pro", FLUX);
            assertThat(flagged.get("error_code").asString()).as(flagged.toString()).isEqualTo("content_moderated");
            assertThat(flagged.get("error_message").asString()).contains("NSFW");
        }
    }

    @Test
    void aRestartedNodeResumesThePredictionAndCancelReachesReplicate() throws Exception {
        Path dir = Files.createTempDirectory("pictor-replicate-");
        try (var fake = new FakeReplicate()) {
            fake.pendingPolls = 1_000_000;
            String id;
            try (TestNode first = TestNode.start(dir, env(fake, null))) {
                id = first.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse(FLUX));
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/v1/predictions/p1").size() >= 2);
            }
            try (TestNode second = TestNode.start(dir, env(fake, null))) {
                int before = fake.calls("/v1/predictions/p1").size();
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/v1/predictions/p1").size() > before);
                assertThat(fake.submits()).isEqualTo(1);
                var cancel = second.client().post("/api/generate/cancel/" + id, "", KEY);
                assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");
                await().atMost(Duration.ofSeconds(5)).until(() -> fake.calls().stream()
                        .anyMatch(c -> c.method().equals("POST") && c.path().equals("/v1/predictions/p1/cancel")));
            }
        }
    }
}
