package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The AUTOMATIC1111 / Forge adapter against a fake of its {@code /sdapi/v1} API. */
class A1111UpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String FLUX = "{\"prompt\":\"p\",\"size\":\"1:1\",\"resolution\":\"1K\"}";

    private static Map<String, String> env(FakeA1111 fake, String routes) {
        return new HashMap<>(Map.of("PICTOR_A1111_URL", fake.baseUrl(), "PICTOR_ROUTES", routes));
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void txt2imgWithTheRoutesCheckpointAndImg2imgWithTheSource() {
        try (var fake = new FakeA1111(); var images = new ImageServer();
             TestNode node = TestNode.start(env(fake, "flux-2-pro=a1111:sd_xl_base_1.0;flux-2-pro-edit=a1111"))) {
            JsonNode data = run(node, "flux-2-pro", "{\"prompt\":\"a barn\",\"size\":\"4:3\",\"resolution\":\"1K\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("a1111");
            JsonNode sent = fake.lastJson("/sdapi/v1/txt2img");
            assertThat(sent.get("prompt").asString()).isEqualTo("a barn");
            assertThat(sent.get("width").asInt()).isEqualTo(1168);
            assertThat(sent.get("height").asInt()).isEqualTo(880);
            assertThat(sent.get("seed").asLong()).isEqualTo(-1);
            assertThat(sent.at("/override_settings/sd_model_checkpoint").asString()).isEqualTo("sd_xl_base_1.0");

            String src = images.image("s.png", 128, 128, 0x224466);
            byte[] expected = node.client().download(src).body();
            JsonNode edit = run(node, "flux-2-pro-edit", "{\"prompt\":\"winter\",\"size\":\"1:1\",\"resolution\":\"1K\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(edit.get("status").asString()).as(edit.toString()).isEqualTo("finished");
            JsonNode img2img = fake.lastJson("/sdapi/v1/img2img");
            assertThat(java.util.Base64.getDecoder().decode(img2img.get("init_images").get(0).asString())).isEqualTo(expected);
            assertThat(img2img.has("override_settings")).isFalse();
        }
    }

    @Test
    void oneGenerationAtATimeByDefaultAndCancelInterruptsTheEngine() {
        try (var fake = new FakeA1111(); TestNode node = TestNode.start(env(fake, "flux-2-pro=a1111"))) {
            fake.hold = true;
            String first = node.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse(FLUX));
            String second = node.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse(FLUX));
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/sdapi/v1/txt2img").size() == 1);
            assertThat(node.client().get("/api/generate/status/" + second, KEY).data().get("status").asString()).isNotIn("finished", "failed");
            var cancel = node.client().post("/api/generate/cancel/" + first, "", KEY);
            assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");
            await().atMost(Duration.ofSeconds(10)).until(() -> !fake.calls("/sdapi/v1/interrupt").isEmpty());
            fake.release();
            JsonNode data = node.client().awaitTerminal(KEY, second, Duration.ofSeconds(20));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            // the second generation was not sent while the first ran on the engine
            assertThat(fake.generationsAtInterrupt).isEqualTo(1);
        }
    }
}
