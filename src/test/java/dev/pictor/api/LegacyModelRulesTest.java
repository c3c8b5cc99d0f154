package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import org.junit.jupiter.api.Test;

/** The rules of seedream-4 and grok-imagine-image as reference/apidot-api.md §13 gives them: a 400 naming the field. */
class LegacyModelRulesTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String URL = "\"https://example.com/a.png\"";

    private static void assertRejected(TestNode node, String model, String input, String param) {
        Response r = node.client().post("/api/generate/submit", "{\"model\":\"" + model + "\",\"input\":" + input + "}", KEY);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body().get("error").get("param").asString()).isEqualTo(param);
    }

    @Test
    void seedream4AndGrokImagineImageRejectWhatTheirRulesForbid() {
        try (TestNode node = TestNode.start()) {
            assertRejected(node, "seedream-4", "{\"prompt\":\"x\",\"size\":\"5:4\"}", "input.size");
            assertRejected(node, "seedream-4", "{\"prompt\":\"x\",\"resolution\":\"3K\"}", "input.resolution");
            assertRejected(node, "seedream-4", "{\"prompt\":\"x\",\"n\":16}", "input.n");
            assertRejected(node, "seedream-4", "{\"prompt\":\"x\",\"image_urls\":[" + URL + "]}", "input.image_urls");
            assertRejected(node, "seedream-4-edit", "{\"prompt\":\"x\"}", "input.image_urls");
            assertRejected(node, "seedream-4-edit", "{\"prompt\":\"x\",\"n\":15,\"image_urls\":[" + URL + "]}", "input.n");
            assertRejected(node, "grok-imagine-image", "{\"prompt\":\"x\",\"size\":\"4:3\"}", "input.size");
            assertRejected(node, "grok-imagine-image", "{\"prompt\":\"x\",\"image_urls\":[" + URL + "," + URL + "]}", "input.image_urls");
            assertRejected(node, "grok-imagine-image", "{\"prompt\":\"x\",\"n\":2}", "input.n");
        }
    }

    @Test
    void gpt4oImageTakesItsThreeRatiosUpToFourImagesAndFiveSources() {
        try (TestNode node = TestNode.start()) {
            assertRejected(node, "gpt-4o-image", "{\"prompt\":\"x\",\"size\":\"16:9\"}", "input.size");
            assertRejected(node, "gpt-4o-image", "{\"prompt\":\"x\",\"n\":5}", "input.n");
            assertRejected(node, "gpt-4o-image", "{\"prompt\":\"x\",\"image_urls\":[" + URL + "]}", "input.image_urls");
            assertRejected(node, "gpt-4o-image-edit", "{\"prompt\":\"x\"}", "input.image_urls");
            assertRejected(node, "gpt-4o-image-edit", "{\"prompt\":\"x\",\"image_urls\":[" + String.join(",", java.util.Collections.nCopies(6, URL)) + "]}",
                    "input.image_urls");
            assertRejected(node, "gpt-4o-image-edit", "{\"prompt\":\"x\",\"mask_url\":" + URL + ",\"image_urls\":[" + URL + "]}", "input.mask_url");

            String id = node.client().submit(KEY, "gpt-4o-image", (tools.jackson.databind.node.ObjectNode) dev.pictor.common.Json.parse(
                    "{\"prompt\":\"a red kite\",\"size\":\"2:3\",\"n\":2}"));
            var done = node.client().awaitTerminal(KEY, id, java.time.Duration.ofSeconds(10));
            assertThat(done.get("status").asString()).isEqualTo("finished");
            assertThat(done.get("files")).hasSize(2);
            assertThat(done.get("files").get(0).get("width").asInt()).isEqualTo(1024);
            assertThat(done.get("files").get(0).get("height").asInt()).isEqualTo(1536);
        }
    }
}
