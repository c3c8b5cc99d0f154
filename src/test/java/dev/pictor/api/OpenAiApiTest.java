package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.ImageProbe;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** The OpenAI Images endpoints over raw HTTP: JSON and multipart, answers and errors in OpenAI's shapes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiApiTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private TestNode node;
    private ImageServer images;
    private byte[] png;

    @BeforeAll
    void start() {
        node = TestNode.start(Map.of("PICTOR_MAX_WAIT_SECONDS", "5"));
        images = new ImageServer();
        BufferedImage source = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        source.setRGB(10, 10, 0xff0000);
        png = ImageEncoder.encode(source, ImageFormat.PNG);
    }

    @AfterAll
    void stop() {
        node.close();
        images.close();
    }

    private Response post(String path, String json) {
        return node.client().post(path, json, KEY);
    }

    @Test
    void generationsAnswerWithBase64ByDefaultOrUrls() throws Exception {
        Response r = post("/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"a lighthouse\",\"size\":\"1536x1024\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().get("created").asLong()).isPositive();
        assertThat(r.body().get("size").asString()).isEqualTo("1536x1024");
        assertThat(r.body().get("output_format").asString()).isEqualTo("png");
        byte[] image = Base64.getDecoder().decode(r.body().get("data").get(0).get("b64_json").asString());
        var decoded = ImageProbe.decode(image, 10_000_000);
        assertThat(decoded.getWidth()).isEqualTo(1536);
        assertThat(decoded.getHeight()).isEqualTo(1024);

        String taskId = r.raw().headers().firstValue("X-Pictor-Task-Id").orElseThrow();
        var status = node.client().get("/api/generate/status/" + taskId, KEY).data();
        assertThat(status.get("status").asString()).isEqualTo("finished");
        // The answer carried the bytes the run had in hand; they are the stored file's, byte for byte.
        assertThat(node.client().download(ApiClient.fileUrls(status).getFirst()).body()).isEqualTo(image);
        Response later = node.client().get("/v1/images/tasks/" + taskId, KEY);
        assertThat(later.body().get("data").get(0).get("b64_json").asString()).isEqualTo(r.body().get("data").get(0).get("b64_json").asString());

        Response urls = post("/v1/images/generations", "{\"model\":\"seedream-4.5\",\"prompt\":\"two foxes\",\"n\":2,\"size\":\"2048x2048\",\"response_format\":\"url\"}");
        assertThat(urls.body().get("data")).hasSize(2);
        assertThat(node.client().download(urls.body().get("data").get(1).get("url").asString()).statusCode()).isEqualTo(200);
        assertThat(urls.body().get("output_format").asString()).isEqualTo("jpeg");
    }

    @Test
    void openAiSizesMapOntoEachModelsOwnRules() {
        // A ratio model: 16:9 is offered, so 1792x1008 maps to 16:9 at the nearest tier.
        Response ratio = post("/v1/images/generations", "{\"model\":\"nano-banana-2\",\"prompt\":\"wide\",\"size\":\"1792x1008\"}");
        assertThat(ratio.status()).as(ratio.toString()).isEqualTo(200);
        assertThat(ratio.body().get("size").asString()).isEqualTo("1360x768");
        // An object-size model takes the exact size.
        Response wan = post("/v1/images/generations", "{\"model\":\"wan-2.7-image\",\"prompt\":\"exact\",\"size\":\"1280x720\"}");
        assertThat(wan.body().get("size").asString()).isEqualTo("1280x720");
        Response missing = post("/v1/images/generations", "{\"model\":\"nano-banana-2\",\"prompt\":\"odd\",\"size\":\"1000x700\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("error").get("param").asString()).isEqualTo("size");
        assertThat(missing.body().get("error").get("message").asString()).contains("nano-banana-2 has no 1000x700 output");
    }

    @Test
    void parametersAModelCannotHonourAre400sInOpenAiShape() {
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"x\",\"n\":3}"), 400, "n", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"x\",\"quality\":\"high\"}"), 400, "quality", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"x\",\"quality\":\"hd\"}"), 400, "quality", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"x\",\"output_format\":\"webp\"}"), 400, "output_format", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"x\",\"background\":\"transparent\"}"), 400, "background", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"x\",\"stream\":true}"), 400, "stream", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"x\",\"colour\":\"red\"}"), 400, "colour", "unknown_parameter");
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"dall-e-4\",\"prompt\":\"x\"}"), 400, "model", "model_not_found");
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"dall-e-3\",\"prompt\":\"x\",\"size\":\"1536x1024\"}"), 400, "size", null);
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2-edit\",\"prompt\":\"x\"}"), 400, "model", "model_not_found");
        assertOpenAiError(post("/v1/images/generations", "{\"model\":\"gpt-image-2\"}"), 400, "prompt", null);
        Response unauthenticated = node.client().post("/v1/images/generations", "{\"prompt\":\"x\"}", null);
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(unauthenticated.body().get("error").get("type").asString()).isEqualTo("authentication_error");
        assertThat(unauthenticated.body().has("code")).isFalse();
    }

    @Test
    void aFailedTaskBecomesTheMatchingOpenAiError() {
        Response moderated = post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"[sandbox:fail=content_moderated]\"}");
        assertThat(moderated.status()).isEqualTo(400);
        assertThat(moderated.body().get("error").get("type").asString()).isEqualTo("image_generation_user_error");
        assertThat(moderated.body().get("error").get("code").asString()).isEqualTo("moderation_blocked");

        Response upstream = post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"[sandbox:fail=upstream_error]\"}");
        assertThat(upstream.status()).isEqualTo(502);
        assertThat(upstream.body().get("error").get("type").asString()).isEqualTo("server_error");
    }

    @Test
    void aCallThatOutwaitsTheLimitLeavesTheTaskRunningAndListed() {
        Response slow = post("/v1/images/generations", "{\"model\":\"z-image\",\"prompt\":\"[sandbox:hang]\"}");
        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.body().get("error").get("code").asString()).isEqualTo("timeout");
        String taskId = slow.raw().headers().firstValue("X-Pictor-Task-Id").orElseThrow();
        assertThat(slow.body().get("error").get("message").asString()).contains(taskId);
        JsonNode listed = node.client().get("/api/generate/tasks?status=running", KEY).data().get("tasks");
        assertThat(listed.valueStream().map(t -> t.get("task_id").asString())).contains(taskId);
        node.client().post("/api/generate/cancel/" + taskId, "", KEY);
    }

    @Test
    void aClientThatHangsUpLeavesTheTaskRunningAndListed() throws Exception {
        String since = java.time.Instant.now().minusSeconds(1).toString();
        var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/images/generations"))
                .header("Authorization", "Bearer " + KEY).timeout(Duration.ofMillis(700))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"z-image\",\"prompt\":\"[sandbox:delay=3000] hang up on me\"}")).build();
        try {
            java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding());
            throw new AssertionError("the request should have timed out on the client side");
        } catch (java.net.http.HttpTimeoutException expected) {
            // the client gave up and closed the connection
        }
        JsonNode task = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                node.client().get("/api/generate/tasks?model=z-image&since=" + since, KEY).data().get("tasks").valueStream()
                        .filter(t -> t.get("status").asString().equals("running")).findFirst(), java.util.Optional::isPresent).orElseThrow();
        JsonNode done = node.client().awaitTerminal(KEY, task.get("task_id").asString(), Duration.ofSeconds(15));
        assertThat(done.get("status").asString()).isEqualTo("finished");
    }

    @Test
    void multipartEditsTakeImageAndImageArrayParts() throws Exception {
        var form = new Multipart()
                .field("model", "gpt-image-2")
                .field("prompt", "make it blue")
                .field("size", "1024x1024")
                .file("image[]", "a.png", png)
                .file("image[]", "b.png", png);
        Response r = form.send(node, "/v1/images/edits");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().get("size").asString()).isEqualTo("1024x1024");
        String taskId = r.raw().headers().firstValue("X-Pictor-Task-Id").orElseThrow();
        JsonNode task = node.client().get("/api/generate/status/" + taskId, KEY).data();
        assertThat(task.get("model").asString()).isEqualTo("gpt-image-2-edit");

        Response single = new Multipart().field("model", "flux-kontext-pro").field("prompt", "x").field("response_format", "url")
                .file("image", "one.png", png).send(node, "/v1/images/edits");
        assertThat(single.status()).as(single.toString()).isEqualTo(200);
        assertThat(single.body().get("size").asString()).isEqualTo("1168x880"); // the 4:3 source's aspect at 1 MP

        Response mask = new Multipart().field("prompt", "x").file("image", "a.png", png).file("mask", "m.png", png).send(node, "/v1/images/edits");
        assertOpenAiError(mask, 400, "mask", null);
        Response notImage = new Multipart().field("prompt", "x").file("image", "a.txt", "hello".getBytes()).send(node, "/v1/images/edits");
        assertOpenAiError(notImage, 400, "image[0]", null);
        Response none = new Multipart().field("prompt", "x").send(node, "/v1/images/edits");
        assertOpenAiError(none, 400, "image", null);
        Response tooMany = new Multipart().field("model", "flux-kontext-pro").field("prompt", "x")
                .file("image[]", "a.png", png).file("image[]", "b.png", png).send(node, "/v1/images/edits");
        assertOpenAiError(tooMany, 400, "image_urls", null);
    }

    @Test
    void jsonEditsTakeUrlsAndDataUrls() {
        String url = images.body("remote.png", png);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        Response r = post("/v1/images/edits", "{\"model\":\"nano-banana-2-edit\",\"prompt\":\"merge\",\"images\":[{\"image_url\":\"" + url
                + "\"},{\"image_url\":\"" + dataUrl + "\"}],\"response_format\":\"url\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertOpenAiError(post("/v1/images/edits", "{\"prompt\":\"x\",\"images\":[{\"file_id\":\"file-1\"}]}"), 400, "images[0].file_id", null);
        assertOpenAiError(post("/v1/images/edits", "{\"prompt\":\"x\",\"images\":[{\"image_url\":\"data:image/png,abc\"}]}"), 400, "images[0].image_url", null);
    }

    @Test
    void modelsAreListedTheOpenAiWay() {
        Response r = node.client().get("/v1/models", KEY);
        assertThat(r.body().get("object").asString()).isEqualTo("list");
        assertThat(r.body().get("data")).as("every catalog model").hasSize(node.client().get("/api/models", KEY).data().get("models").size());
        assertThat(r.body().get("data").get(0).get("object").asString()).isEqualTo("model");
    }

    private static void assertOpenAiError(Response r, int status, String param, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode error = r.body().get("error");
        assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code")).as(r.toString()).isTrue();
        assertThat(r.body().has("code")).isFalse();
        if (param != null) {
            assertThat(error.get("param").asString()).as(r.toString()).isEqualTo(param);
        }
        if (code != null) {
            assertThat(error.get("code").asString()).isEqualTo(code);
        }
    }

    /** A multipart/form-data body built by hand, as the OpenAI SDKs send it. */
    private static final class Multipart {
        private final String boundary = "pictor-test-boundary-7c1f";
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Multipart field(String name, String value) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Multipart file(String name, String filename, byte[] content) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Response send(TestNode node, String path) {
            body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return node.client().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                    .header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        }
    }
}
