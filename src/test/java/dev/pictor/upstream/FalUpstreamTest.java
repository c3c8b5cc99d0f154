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

/** The fal adapter against a fake of fal's queue API. */
class FalUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Map<String, String> env(FakeFal fake, String routes) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_FAL_KEY", FakeFal.KEY, "PICTOR_FAL_BASE_URL", fake.baseUrl(),
                "PICTOR_UPSTREAM_POLL_MS", "50"));
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
    void submitsToTheQueuePollsStatusAndFetchesTheResult() {
        try (var fake = new FakeFal(); TestNode node = TestNode.start(env(fake, null))) {
            fake.pendingPolls = 4;
            JsonNode data = run(node, "flux-2-pro", "{\"prompt\":\"a lighthouse\",\"size\":\"4:3\",\"resolution\":\"1K\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("fal");
            JsonNode sent = fake.lastSubmit();
            assertThat(fake.calls("/fal-ai/flux-2-pro").getFirst().method()).isEqualTo("POST");
            assertThat(sent.get("prompt").asString()).isEqualTo("a lighthouse");
            assertThat(sent.at("/image_size/width").asInt()).isEqualTo(1168);
            assertThat(sent.at("/image_size/height").asInt()).isEqualTo(880);
            assertThat(sent.get("num_images").asInt()).isEqualTo(1);
            assertThat(sent.has("seed")).isFalse();
            assertThat(fake.calls("/fal-ai/flux-2-pro/requests/req-1/status")).hasSizeGreaterThanOrEqualTo(5);
            JsonNode usage = node.client().get("/api/usage", KEY).data().get("totals");
            assertThat(usage.get("upstream_compute_seconds").decimalValue()).as("fal's metrics.inference_time").isEqualByComparingTo("1.2");
            assertThat(usage.get("unpriced_tasks").asLong()).as("no upstream_costs for fal").isEqualTo(1);
            assertThat(fake.calls("/fal-ai/flux-2-pro/requests/req-1/status").getFirst().path()).endsWith("?logs=1");
            assertThat(fake.calls("/files/")).hasSize(1);
            assertThat(fake.calls().getFirst().header("Authorization")).isEqualTo("Key " + FakeFal.KEY);
        }
    }

    @Test
    void editsSendTheSourceAsDataUrisAndPollUnderTheAppWithoutTheSubPath() {
        try (var fake = new FakeFal(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake, null))) {
            String src = images.image("s.png", 200, 100, 0x445566);
            JsonNode data = run(node, "flux-2-pro-edit", "{\"prompt\":\"at night\",\"size\":\"1:1\",\"resolution\":\"1K\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.calls("/fal-ai/flux-2-pro/edit")).hasSize(1);
            JsonNode sent = fake.lastSubmit();
            assertThat(sent.get("image_urls").get(0).asString()).startsWith("data:image/png;base64,");
            assertThat(sent.get("image_url").asString()).isEqualTo(sent.get("image_urls").get(0).asString());
            assertThat(fake.calls("/fal-ai/flux-2-pro/requests/")).isNotEmpty();
            assertThat(fake.calls("/fal-ai/flux-2-pro/edit/requests/")).isEmpty();
        }
    }

    @Test
    void anyModelCanBeRoutedToAnEndpointAndFlaggedImagesAreModeration() {
        try (var fake = new FakeFal(); TestNode node = TestNode.start(env(fake, "nano-banana-2=fal:fal-ai/nano-banana"))) {
            fake.nsfw = true;
            JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"x\"}");
            assertThat(fake.calls("/fal-ai/nano-banana")).isNotEmpty();
            assertThat(data.get("provider").asString()).isEqualTo("fal");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("content_moderated");
        }
    }

    @Test
    void aRestartedNodeResumesTheRequestAndCancelReachesFal() throws Exception {
        Path dir = Files.createTempDirectory("pictor-fal-");
        try (var fake = new FakeFal()) {
            fake.pendingPolls = 1_000_000;
            String id;
            try (TestNode first = TestNode.start(dir, env(fake, null))) {
                id = first.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse("{\"prompt\":\"slow\",\"size\":\"1:1\",\"resolution\":\"1K\"}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/fal-ai/flux-2-pro/requests/").size() >= 2);
            }
            try (TestNode second = TestNode.start(dir, env(fake, null))) {
                int before = fake.calls("/fal-ai/flux-2-pro/requests/").size();
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/fal-ai/flux-2-pro/requests/").size() > before);
                assertThat(fake.submits()).isEqualTo(1);
                var cancel = second.client().post("/api/generate/cancel/" + id, "", KEY);
                assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");
                await().atMost(Duration.ofSeconds(5)).until(() -> fake.calls().stream()
                        .anyMatch(c -> c.method().equals("PUT") && c.path().equals("/fal-ai/flux-2-pro/requests/req-1/cancel")));
            }
        }
    }
}
