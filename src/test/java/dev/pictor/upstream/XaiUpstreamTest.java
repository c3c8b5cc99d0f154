package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The xAI adapter against a fake written from xAI's image docs. */
class XaiUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Map<String, String> env(FakeXai fake) {
        return Map.of("PICTOR_XAI_API_KEY", FakeXai.KEY, "PICTOR_XAI_BASE_URL", fake.baseUrl() + "/v1");
    }

    private static JsonNode run(TestNode node, String input) {
        String id = node.client().submit(KEY, "grok-imagine-image-quality", (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void generatesWithRatioResolutionAndCountAndDownloadsTheTemporaryUrls() {
        try (var fake = new FakeXai(); TestNode node = TestNode.start(env(fake))) {
            JsonNode data = run(node, "{\"prompt\":\"a comet\",\"aspect_ratio\":\"16:9\",\"resolution\":\"2K\",\"n\":2,\"output_format\":\"jpeg\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("xai");
            assertThat(data.get("files")).hasSize(2);
            JsonNode sent = fake.lastJson("/v1/images/generations");
            assertThat(sent.get("model").asString()).isEqualTo("grok-imagine-image-quality");
            assertThat(sent.get("prompt").asString()).isEqualTo("a comet");
            assertThat(sent.get("aspect_ratio").asString()).isEqualTo("16:9");
            assertThat(sent.get("resolution").asString()).isEqualTo("2k");
            assertThat(sent.get("n").asInt()).isEqualTo(2);
            assertThat(fake.calls("/tmp/")).hasSize(2);
            assertThat(fake.calls("/v1/images/generations").getFirst().header("Authorization")).isEqualTo("Bearer " + FakeXai.KEY);
        }
    }

    @Test
    void grokImagineImageSendsItsSizeAsTheAspectRatio() {
        try (var fake = new FakeXai(); TestNode node = TestNode.start(env(fake))) {
            String id = node.client().submit(KEY, "grok-imagine-image", (ObjectNode) Json.parse("{\"prompt\":\"a kite\",\"size\":\"16:9\"}"));
            JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("xai");
            JsonNode sent = fake.lastJson("/v1/images/generations");
            assertThat(sent.get("model").asString()).isEqualTo("grok-imagine-image");
            assertThat(sent.get("aspect_ratio").asString()).isEqualTo("16:9");
        }
    }

    @Test
    void referenceImagesMakeAJsonEditAndTheFormatAskedForIsKept() {
        try (var fake = new FakeXai(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake))) {
            String a = images.image("a.png", 120, 80, 0x101010);
            String b = images.image("b.png", 80, 80, 0x202020);
            JsonNode one = run(node, "{\"prompt\":\"sketch it\",\"image_urls\":[\"" + a + "\"]}");
            assertThat(one.get("status").asString()).as(one.toString()).isEqualTo("finished");
            JsonNode sent = fake.lastJson("/v1/images/edits");
            assertThat(sent.at("/image/type").asString()).isEqualTo("image_url");
            assertThat(sent.at("/image/url").asString()).startsWith("data:image/png;base64,");
            assertThat(one.get("files").get(0).get("content_type").asString()).isEqualTo("image/png");

            JsonNode two = run(node, "{\"prompt\":\"combine\",\"image_urls\":[\"" + a + "\",\"" + b + "\"]}");
            assertThat(two.get("status").asString()).as(two.toString()).isEqualTo("finished");
            assertThat(fake.lastJson("/v1/images/edits").get("images")).hasSize(2);
            assertThat(fake.calls("/v1/images/generations")).isEmpty();
        }
    }

    @Test
    void aWrongKeyIsTheOperatorsFaultAndAnInvalidArgumentIsTheClients() {
        try (var fake = new FakeXai(); TestNode node = TestNode.start(Map.of("PICTOR_XAI_API_KEY", "wrong", "PICTOR_XAI_BASE_URL", fake.baseUrl()))) {
            JsonNode data = run(node, "{\"prompt\":\"x\"}");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("credentials");
        }
        try (var fake = new FakeXai(); TestNode node = TestNode.start(env(fake))) {
            fake.fail(FakeUpstream.Fault.of(400, "{\"code\":\"Client specified an invalid argument\",\"error\":\"Image size too small\"}"));
            JsonNode data = run(node, "{\"prompt\":\"y\"}");
            assertThat(data.get("error_code").asString()).isEqualTo("invalid_input");
            assertThat(data.get("error_message").asString()).contains("Image size too small");
        }
    }
}
