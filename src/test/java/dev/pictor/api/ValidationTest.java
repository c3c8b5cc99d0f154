package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid requests, model by model: each gets a 400 in the error envelope whose message names the
 * field and the model and whose {@code param} points at the field, and none of them stores a task.
 * They run under their own tenant so the "nothing stored" check sees only them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidationTest {
    private static final String URL = "'https://images.example.com/a.png'";
    private TestNode node;
    private String key;

    @BeforeAll
    void start() {
        node = TestNode.start();
        node.client().post("/api/admin/tenants", "{\"id\":\"validation\"}", TestNode.ADMIN_KEY);
        key = node.client().post("/api/admin/keys", "{\"tenant_id\":\"validation\"}", TestNode.ADMIN_KEY).data().get("key").asString();
    }

    /** Checked once all cases ran: none of them may have stored anything. */
    @AfterAll
    void nothingWasStoredThenStop() {
        try {
            assertThat(node.pictor().store().list("validation", null, null, null, null, null, 1)).isEmpty();
        } finally {
            node.close();
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                c("gpt-image-2", "{'n':1}", "input.n", "gpt-image-2 does not support n"),
                c("gpt-image-2", "{'image_urls':[" + URL + "]}", "input.image_urls", "gpt-image-2 does not support image_urls"),
                c("gpt-image-2", "{'size':'7:3'}", "input.size", "size must be one of"),
                c("gpt-image-2", "{'size':'1000x1000','resolution':'2K'}", "input.size", "divisible by 16"),
                c("gpt-image-2", "{'size':'3840x1024','resolution':'4K'}", "input.size", "aspect ratio must be at most 3:1"),
                c("gpt-image-2", "{'size':'2048x1152'}", "input.resolution", "a custom size needs resolution 2K or 4K"),
                c("gpt-image-2", "{'quality':'ultra'}", "input.quality", "quality must be one of low, medium, high"),
                c("gpt-image-2-edit", "{}", "input.image_urls", "image_urls is required for gpt-image-2-edit"),
                c("gpt-image-2-edit", "{'image_urls':'" + "https://x.example/a.png" + "'}", "input.image_urls", "image_urls must be an array"),
                c("gpt-image-2-edit", "{'image_urls':['ftp://x.example/a.png']}", "input.image_urls[0]", "image_urls[0] must be an http or https URL"),
                c("nano-banana-2", "{'google_search':'true'}", "input.google_search", "google_search must be a JSON boolean"),
                c("nano-banana-2", "{'resolution':'3K'}", "input.resolution", "resolution must be one of 0.5K, 1K, 2K, 4K"),
                c("nano-banana-2", "{'seed':-1}", "input.seed", "seed must be an integer"),
                c("nano-banana-2", "{'size':'2:1'}", "input.size", "size must be one of"),
                c("nano-banana-2-edit", "{'image_urls':[" + repeat(URL, 15) + "]}", "input.image_urls", "at most 14 images"),
                c("nano-banana-pro", "{'enable_web_search':1}", "input.enable_web_search", "enable_web_search must be a JSON boolean"),
                c("nano-banana-pro", "{'n':2}", "input.n", "n must be 1"),
                c("nano-banana-pro", "{'output_format':'webp'}", "input.output_format", "output_format must be one of"),
                c("nano-banana-pro", "{'google_search':true}", "input.google_search", "nano-banana-pro does not support google_search"),
                c("nano-banana-pro-edit", "{'image_urls':[]}", "input.image_urls", "image_urls is required for nano-banana-pro-edit"),
                c("seedream-4.5", "{'seed':1}", "input.seed", "seedream-4.5 does not support seed"),
                c("seedream-4.5", "{'n':16}", "input.n", "n must be between 1 and 15"),
                c("seedream-4.5", "{'size':'3K'}", "input.size", "size must be one of"),
                c("seedream-4.5", "{'resolution':'2K'}", "input.resolution", "seedream-4.5 does not support resolution"),
                c("seedream-4.5", "{'size':{'width':100,'height':100}}", "input.size", "total pixels must be between"),
                c("seedream-4.5-edit", "{'image_urls':[" + repeat(URL, 10) + "],'n':6}", "input.n", "len(image_urls) + n must be at most 15"),
                c("seedream-4.5-edit", "{'image_urls':[" + repeat(URL, 11) + "]}", "input.image_urls", "at most 10 images"),
                c("seedream-5.0-lite", "{'size':'4K'}", "input.size", "size must be one of"),
                c("seedream-5.0-lite", "{'output_format':'png'}", "input.output_format", "seedream-5.0-lite does not support output_format"),
                c("seedream-5.0-lite-edit", "{}", "input.image_urls", "image_urls is required for seedream-5.0-lite-edit"),
                c("flux-2-pro", "{'resolution':'1K'}", "input.size", "size is required for flux-2-pro"),
                c("flux-2-pro", "{'size':'1:1'}", "input.resolution", "resolution is required for flux-2-pro"),
                c("flux-2-pro", "{'size':'1:1','resolution':'1K','image_urls':[" + URL + "]}", "input.image_urls", "does not support image_urls"),
                c("flux-2-pro-edit", "{'size':'1:1','resolution':'1K','image_urls':[" + repeat(URL, 9) + "]}", "input.image_urls", "at most 8 images"),
                c("flux-2-flex", "{'size':'1:1','resolution':'4K'}", "input.resolution", "resolution must be one of 1K, 2K"),
                c("flux-2-flex", "{'size':'1:1','resolution':'1K','prompt':'" + "x".repeat(1001) + "'}", "input.prompt", "at most 1000 characters"),
                c("flux-2-flex-edit", "{'size':'1:1','image_urls':[" + URL + "]}", "input.resolution", "resolution is required for flux-2-flex-edit"),
                c("flux-kontext-pro", "{'output_format':'webp'}", "input.output_format", "output_format must be one of png, jpg"),
                c("flux-kontext-pro-edit", "{'image_urls':[" + repeat(URL, 2) + "]}", "input.image_urls", "exactly one image"),
                c("flux-kontext-max", "{'size':'2:3'}", "input.size", "size must be one of"),
                c("flux-kontext-max-edit", "{}", "input.image_urls", "image_urls is required for flux-kontext-max-edit"),
                c("wan-2.7-image", "{'n':5}", "input.n", "n must be between 1 and 4"),
                c("wan-2.7-image", "{'image_urls':[" + repeat(URL, 5) + "]}", "input.image_urls", "at most 4 images"),
                c("wan-2.7-image", "{'size':'2048x2048'}", "input.size", "size must be one of"),
                c("wan-2.7-image-pro", "{'size':{'width':5000,'height':100}}", "input.size", "is not valid for wan-2.7-image-pro"),
                c("wan-2.7-image-pro", "{'size':{'width':1024}}", "input.size", "exactly the integer fields width and height"),
                c("z-image", "{}", "input.size", "size is required for z-image"),
                c("z-image", "{'size':'1:1','image_urls':[" + URL + "]}", "input.image_urls", "z-image does not support image_urls"),
                c("z-image", "{'size':'1:1','prompt':'   '}", "input.prompt", "prompt is required for z-image"),
                c("kling-o1-image-edit", "{'image_urls':[" + URL + "],'resolution':'4K'}", "input.resolution", "resolution must be one of 1K, 2K"),
                c("kling-o1-image-edit", "{'image_urls':[" + URL + "],'n':10}", "input.n", "n must be between 1 and 9"),
                c("kling-o1-image-edit", "{'image_urls':[" + URL + "],'result_type':'series'}", "input.series_amount", "series_amount is required"),
                c("kling-o1-image-edit", "{'image_urls':[" + URL + "],'elements':[{'reference_image_urls':[]}]}",
                        "input.elements[0].frontal_image_url", "elements[0].frontal_image_url is required"),
                c("kling-o3-image", "{'size':'auto'}", "input.size", "size must be one of"),
                c("kling-o3-image", "{'image_urls':[" + URL + "]}", "input.image_urls", "kling-o3-image does not support image_urls"),
                c("kling-o3-image-edit", "{'image_urls':[" + repeat(URL, 8) + "],'elements':[{'frontal_image_url':" + URL + "},"
                        + "{'frontal_image_url':" + URL + "},{'frontal_image_url':" + URL + "}]}", "input.elements", "len(image_urls) + len(elements)"),
                c("kling-o3-image-edit", "{'image_urls':[" + URL + "],'result_type':'series','series_amount':3,'n':2}", "input.n",
                        "n cannot be combined with result_type series"),
                c("grok-imagine-image-quality", "{'image_urls':[" + repeat(URL, 4) + "]}", "input.image_urls", "at most 3 images"),
                c("grok-imagine-image-quality", "{'aspect_ratio':'4:3'}", "input.aspect_ratio", "aspect_ratio must be one of"),
                c("grok-imagine-image-quality", "{'size':'1:1'}", "input.size", "grok-imagine-image-quality does not support size"),
                c("grok-imagine-image-quality", "{'prompt':42}", "input.prompt", "prompt must be a string"));
    }

    private static Arguments c(String model, String input, String param, String message) {
        return Arguments.of(model, input, param, message);
    }

    private static String repeat(String item, int n) {
        return String.join(",", java.util.Collections.nCopies(n, item));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalid")
    void rejectedWithTheFieldAndModelNamed(String model, String inputTemplate, String param, String message) {
        var input = (tools.jackson.databind.node.ObjectNode) Json.parse(inputTemplate.replace("'", "\""));
        if (!input.has("prompt")) {
            input.put("prompt", "a lighthouse");
        }
        var body = Json.object().put("model", model);
        body.set("input", input);
        Response r = node.client().post("/api/generate/submit", body, key);

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body().get("code").asInt()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("invalid_request_error");
        assertThat(r.errorMessage()).contains(message).contains(model.equals("x") ? "" : model);
        assertThat(r.body().get("error").get("param").asString()).isEqualTo(param);
    }

    @Test
    void envelopeLevelMistakes() {
        assertError(node.client().post("/api/generate/submit", "{\"input\":{\"prompt\":\"x\"}}", key), 400, "model is required", "model");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-9\",\"input\":{\"prompt\":\"x\"}}", key), 400,
                "model 'gpt-image-9' is not supported", "model");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"seedream-4-5\",\"input\":{\"prompt\":\"x\"}}", key), 400,
                "is not supported", "model");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-2\"}", key), 400, "input is required for gpt-image-2", "input");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-2\",\"input\":[]}", key), 400, "input must be a JSON object", "input");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-2\",\"input\":{}}", key), 400, "prompt is required for gpt-image-2", "input.prompt");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"x\"},\"webhook\":\"y\"}", key), 400,
                "unknown field webhook", "webhook");
        assertError(node.client().post("/api/generate/submit", "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"x\"},\"callback_url\":\"ftp://a/b\"}", key),
                400, "callback_url must be an http or https URL", "callback_url");
        assertError(node.client().post("/api/generate/submit", "{not json", key), 400, "not valid JSON", null);
        assertError(node.client().post("/api/generate/submit", "", key), 400, "request body is empty", null);
    }

    @Test
    void limitsAreClearErrorsNotCrashes() {
        String huge = "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"" + "x".repeat(1_100_000) + "\"}}";
        assertError(node.client().post("/api/generate/submit", huge, key), 413, "limit", null);
        String longPrompt = "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"" + "x".repeat(20_001) + "\"}}";
        assertError(node.client().post("/api/generate/submit", longPrompt, key), 400, "at most 20000 characters", "input.prompt");
        String longUrl = "{\"model\":\"gpt-image-2-edit\",\"input\":{\"prompt\":\"x\",\"image_urls\":[\"https://a.example/" + "x".repeat(3000) + "\"]}}";
        assertError(node.client().post("/api/generate/submit", longUrl, key), 400, "at most 2048 characters", "input.image_urls[0]");
    }

    private static void assertError(Response r, int status, String message, String param) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.body().get("code").asInt()).isEqualTo(status);
        assertThat(r.errorMessage()).contains(message);
        if (param != null) {
            assertThat(r.body().get("error").get("param").asString()).isEqualTo(param);
        }
    }
}
