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
}
