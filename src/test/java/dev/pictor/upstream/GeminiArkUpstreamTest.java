package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The Gemini (Nano Banana) and Ark (Seedream) adapters against protocol-faithful fakes. */
class GeminiArkUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static TestNode node(Map<String, String> env) {
        return TestNode.start(new HashMap<>(env));
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    private static Map<String, String> gemini(FakeGemini fake, String routes) {
        return routes == null
                ? Map.of("PICTOR_GEMINI_API_KEY", FakeGemini.KEY, "PICTOR_GEMINI_BASE_URL", fake.baseUrl())
                : Map.of("PICTOR_GEMINI_API_KEY", FakeGemini.KEY, "PICTOR_GEMINI_BASE_URL", fake.baseUrl(), "PICTOR_ROUTES", routes);
    }

    @Test
    void nanoBananaSendsPartsAndImageConfigAndGetsTheInlineImage() {
        try (var fake = new FakeGemini(); TestNode node = node(gemini(fake, null))) {
            JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"a fox\",\"size\":\"3:2\",\"resolution\":\"0.5K\",\"google_search\":true,\"seed\":7,"
                    + "\"output_format\":\"webp\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("gemini");
            assertThat(data.get("files").get(0).get("content_type").asString()).isEqualTo("image/webp");

            assertThat(fake.calls().getLast().path()).isEqualTo("/v1beta/models/gemini-3.1-flash-image-preview:generateContent");
            JsonNode body = fake.lastBody();
            assertThat(body.get("contents").get(0).get("parts").get(0).get("text").asString()).isEqualTo("a fox");
            assertThat(body.get("generationConfig").get("responseModalities").toString()).isEqualTo("[\"TEXT\",\"IMAGE\"]");
            assertThat(body.get("generationConfig").get("imageConfig").get("aspectRatio").asString()).isEqualTo("3:2");
            assertThat(body.get("generationConfig").get("imageConfig").get("imageSize").asString()).isEqualTo("512");
            assertThat(body.get("generationConfig").get("seed").asInt()).isEqualTo(7);
            assertThat(body.get("tools").get(0).has("googleSearch")).isTrue();
        }
    }

    @Test
    void editsSendEachSourceAsAnInlinePart() {
        try (var fake = new FakeGemini(); var images = new ImageServer(); TestNode node = node(gemini(fake, null))) {
            String a = images.image("a.png", 64, 64, 1);
            String b = images.image("b.png", 32, 32, 2);
            JsonNode data = run(node, "nano-banana-pro-edit", "{\"prompt\":\"merge\",\"image_urls\":[\"" + a + "\",\"" + b + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            JsonNode parts = fake.lastBody().get("contents").get(0).get("parts");
            assertThat(parts).hasSize(3);
            assertThat(parts.get(1).get("inlineData").get("mimeType").asString()).isEqualTo("image/png");
            assertThat(fake.calls().getLast().path()).contains("gemini-3-pro-image-preview");
            assertThat(fake.lastBody().get("generationConfig").get("imageConfig").has("aspectRatio")).isFalse();
        }
    }

    @Test
    void blockedPromptsAndRefusalsAreModerationAndNotFallenBackFrom() {
        try (var fake = new FakeGemini(); TestNode node = node(gemini(fake, "nano-banana-2=gemini,sandbox"))) {
            fake.fail(FakeUpstream.Fault.of(200, FakeGemini.BLOCKED), FakeUpstream.Fault.of(200, FakeGemini.NO_IMAGE));
            JsonNode blocked = run(node, "nano-banana-2", "{\"prompt\":\"x\"}");
            assertThat(blocked.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(blocked.get("error_message").asString()).contains("SAFETY");
            JsonNode refused = run(node, "nano-banana-2", "{\"prompt\":\"y\"}");
            assertThat(refused.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(refused.get("provider").asString()).isEqualTo("gemini");
        }
    }

    @Test
    void resourceExhaustedIsRetriedAndAServerErrorFallsBack() {
        try (var fake = new FakeGemini(); TestNode node = node(gemini(fake, null))) {
            fake.fail(FakeUpstream.Fault.of(429, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
            JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"again\"}");
            assertThat(data.get("status").asString()).isEqualTo("finished");
            assertThat(data.get("attempts").get(0).get("message").asString()).contains("Resource has been exhausted");
        }
        try (var fake = new FakeGemini(); TestNode node = node(gemini(fake, "nano-banana-2=gemini,sandbox"))) {
            fake.fail(FakeUpstream.Fault.of(500, "{\"error\":{\"code\":500,\"message\":\"Internal error\",\"status\":\"INTERNAL\"}}"));
            assertThat(run(node, "nano-banana-2", "{\"prompt\":\"over\"}").get("provider").asString()).isEqualTo("sandbox");
        }
    }

    private static Map<String, String> ark(FakeArk fake, String routes) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_ARK_API_KEY", FakeArk.KEY, "PICTOR_ARK_BASE_URL", fake.baseUrl() + "/api/v3"));
        if (routes != null) {
            env.put("PICTOR_ROUTES", routes);
        }
        return env;
    }

    @Test
    void seedreamAsksForTheExactSizeAndAGroupOfImages() {
        try (var fake = new FakeArk(); TestNode node = node(ark(fake, null))) {
            JsonNode data = run(node, "seedream-4.5", "{\"prompt\":\"two foxes\",\"size\":\"16:9\",\"n\":2}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("ark");
            assertThat(data.get("files")).hasSize(2);
            JsonNode body = fake.lastBody();
            assertThat(body.get("model").asString()).isEqualTo("seedream-4-5-251128");
            assertThat(body.get("size").asString()).isEqualTo("2560x1440");
            assertThat(body.get("sequential_image_generation").asString()).isEqualTo("auto");
            assertThat(body.get("sequential_image_generation_options").get("max_images").asInt()).isEqualTo(2);
            assertThat(body.get("response_format").asString()).isEqualTo("b64_json");
            assertThat(fake.calls().getLast().header("Authorization")).isEqualTo("Bearer " + FakeArk.KEY);
        }
    }

    @Test
    void seedreamEditsSendDataUrlsAndSensitiveContentIsModeration() {
        try (var fake = new FakeArk(); var images = new ImageServer(); TestNode node = node(ark(fake, "seedream-5.0-lite-edit=ark,sandbox"))) {
            String src = images.image("s.png", 300, 200, 3);
            JsonNode data = run(node, "seedream-5.0-lite-edit", "{\"prompt\":\"night\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            JsonNode body = fake.lastBody();
            assertThat(body.get("model").asString()).isEqualTo("seedream-5-0-260128");
            assertThat(body.get("image").get(0).asString()).startsWith("data:image/png;base64,");
            assertThat(body.get("sequential_image_generation").asString()).isEqualTo("disabled");

            fake.fail(FakeUpstream.Fault.of(400, FakeArk.SENSITIVE));
            JsonNode flagged = run(node, "seedream-5.0-lite-edit", "{\"prompt\":\"flagged\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(flagged.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(flagged.get("provider").asString()).isEqualTo("ark");
        }
    }

    @Test
    void seedreamOverloadIsRetried() {
        try (var fake = new FakeArk(); TestNode node = node(ark(fake, null))) {
            fake.fail(FakeUpstream.Fault.of(429, "{\"error\":{\"code\":\"ServerOverloaded\",\"message\":\"busy\",\"type\":\"TooManyRequests\"}}"));
            JsonNode data = run(node, "seedream-4.5", "{\"prompt\":\"retry\"}");
            assertThat(data.get("status").asString()).isEqualTo("finished");
            assertThat(fake.calls()).hasSize(2);
        }
    }
}
