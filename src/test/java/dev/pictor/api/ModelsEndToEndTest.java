package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.media.ImageProbe;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.time.LocalDateTime;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every model id, from submit to a downloaded file, over real HTTP: the task finishes on the sandbox,
 * and every file has the pixel size and format the catalog promises for that input. Expected sizes
 * are written out by hand here (not computed with the catalog's own formula), so a change in the
 * formula shows up as a failure. Edit models fetch a 640x480 PNG (4:3) from a loopback server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsEndToEndTest {
    private TestNode node;
    private ImageServer images;
    private String src;
    private String src2;

    @BeforeAll
    void start() {
        node = TestNode.start();
        images = new ImageServer();
        src = images.image("a.png", 640, 480, 0xff0000);
        src2 = images.image("b.png", 300, 300, 0x00ff00);
    }

    @AfterAll
    void stop() {
        node.close();
        images.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("gpt-image-2", "{'size':'16:9','resolution':'4K'}", 3840, 2160, "image/png", 1),
                c("gpt-image-2", "{}", 1024, 1024, "image/png", 1),
                c("gpt-image-2-edit", "{'image_urls':[SRC],'size':'2048x1152','resolution':'2K','quality':'high'}", 2048, 1152, "image/png", 1),
                c("nano-banana-2", "{'size':'3:2','output_format':'webp','seed':7}", 1248, 832, "image/webp", 1),
                c("nano-banana-2-edit", "{'image_urls':[SRC],'resolution':'0.5K'}", 576, 432, "image/png", 1),
                c("nano-banana-pro", "{'size':'1:1','output_format':'jpg','enable_web_search':true}", 1024, 1024, "image/jpeg", 1),
                c("nano-banana-pro-edit", "{'image_urls':[SRC,SRC2],'size':'9:16'}", 768, 1360, "image/png", 1),
                c("seedream-4.5", "{'size':'16:9','n':2}", 2560, 1440, "image/jpeg", 2),
                c("seedream-4.5-edit", "{'image_urls':[SRC],'size':{'width':2304,'height':1728}}", 2304, 1728, "image/jpeg", 1),
                c("seedream-5.0-lite", "{'size':'3K'}", 3072, 3072, "image/jpeg", 1),
                c("seedream-5.0-lite-edit", "{'image_urls':[SRC,SRC2],'n':1}", 2048, 2048, "image/jpeg", 1),
                c("flux-2-pro", "{'size':'4:3','resolution':'1K'}", 1168, 880, "image/jpeg", 1),
                c("flux-2-pro-edit", "{'image_urls':[SRC],'size':'auto','resolution':'1K'}", 1168, 880, "image/jpeg", 1),
                c("flux-2-flex", "{'size':'16:9','resolution':'2K'}", 2720, 1536, "image/jpeg", 1),
                c("flux-2-flex-edit", "{'image_urls':[SRC],'size':'1:1','resolution':'1K'}", 1024, 1024, "image/jpeg", 1),
                c("flux-kontext-pro", "{'size':'21:9'}", 1552, 656, "image/png", 1),
                c("flux-kontext-pro-edit", "{'image_urls':[SRC]}", 1168, 880, "image/png", 1),
                c("flux-kontext-max", "{'output_format':'jpg'}", 1024, 1024, "image/jpeg", 1),
                c("flux-kontext-max-edit", "{'image_urls':[SRC],'size':'9:21'}", 656, 1552, "image/png", 1),
                c("wan-2.7-image", "{'size':'768x1024','n':2,'seed':42}", 768, 1024, "image/png", 2),
                c("wan-2.7-image-pro", "{'image_urls':[SRC],'size':{'width':1280,'height':720}}", 1280, 720, "image/png", 1),
                c("z-image", "{'size':'9:16','enable_safety_checker':false}", 768, 1360, "image/png", 1),
                c("kling-o1-image-edit", "{'image_urls':[SRC],'size':'1:1','output_format':'webp','n':2}", 1024, 1024, "image/webp", 2),
                c("kling-o3-image", "{'size':'21:9','result_type':'series','series_amount':3}", 1552, 656, "image/png", 3),
                c("kling-o3-image-edit", "{'image_urls':[SRC],'output_format':'jpeg',"
                        + "'elements':[{'frontal_image_url':SRC,'reference_image_urls':[SRC2]}]}", 1168, 880, "image/jpeg", 1),
                c("grok-imagine-image-quality", "{'aspect_ratio':'2:3','n':2,'output_format':'jpeg'}", 832, 1248, "image/jpeg", 2),
                c("grok-imagine-image-quality", "{'image_urls':[SRC],'resolution':'2K'}", 2048, 2048, "image/png", 1),
                c("gpt-image-1", "{'size':'1536x1024','quality':'high'}", 1536, 1024, "image/png", 1),
                c("gpt-image-1-edit", "{'image_urls':[SRC]}", 1024, 1024, "image/png", 1),
                c("gpt-image-1.5", "{'size':'1024x1536'}", 1024, 1536, "image/png", 1),
                c("gpt-image-1.5-edit", "{'image_urls':[SRC,SRC2],'size':'1536x1024'}", 1536, 1024, "image/png", 1),
                c("dall-e-3", "{'size':'1024x1792','quality':'hd'}", 1024, 1792, "image/png", 1),
                c("dall-e-2", "{'size':'512x512'}", 512, 512, "image/png", 1),
                c("seedream-4", "{'size':'16:9','n':2}", 2560, 1440, "image/jpeg", 2),
                c("seedream-4", "{'size':'3:4','resolution':'1K'}", 864, 1152, "image/jpeg", 1),
                c("seedream-4-edit", "{'image_urls':[SRC],'size':'21:9','resolution':'4K'}", 6048, 2592, "image/jpeg", 1),
                c("grok-imagine-image", "{'size':'16:9'}", 1360, 768, "image/jpeg", 1),
                c("grok-imagine-image", "{'image_urls':[SRC]}", 1024, 1024, "image/jpeg", 1),
                c("gpt-4o-image", "{'size':'3:2','n':2}", 1536, 1024, "image/png", 2),
                c("gpt-4o-image-edit", "{'image_urls':[SRC,SRC2]}", 1024, 1024, "image/png", 1));
    }

    private static Arguments c(String model, String input, int width, int height, String type, int count) {
        return Arguments.of(model, input, width, height, type, count);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void finishesWithTheExpectedFiles(String model, String inputTemplate, int width, int height, String type, int count) throws Exception {
        String json = inputTemplate.replace("'", "\"").replace("SRC2", "\"" + src2 + "\"").replace("SRC", "\"" + src + "\"");
        ObjectNode input = (ObjectNode) Json.parse(json);
        input.put("prompt", "a lighthouse at dusk, " + model);

        String taskId = node.client().submit(TestNode.ADMIN_KEY, model, input);
        JsonNode data = node.client().awaitTerminal(TestNode.ADMIN_KEY, taskId, Duration.ofSeconds(60));

        assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
        assertThat(data.get("provider").asString()).isEqualTo("sandbox");
        assertThat(data.get("progress").asInt()).isEqualTo(100);
        assertThat(data.get("files")).hasSize(count);
        assertThat(data.get("output").get("files")).isEqualTo(data.get("files"));
        for (JsonNode file : data.get("files")) {
            assertThat(file.get("file_type").asString()).isEqualTo("image");
            assertThat(file.get("content_type").asString()).isEqualTo(type);
            assertThat(file.get("width").asInt()).isEqualTo(width);
            assertThat(file.get("height").asInt()).isEqualTo(height);
            assertThat(file.get("provider").asString()).isEqualTo("sandbox");

            HttpResponse<byte[]> download = node.client().download(file.get("file_url").asString());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValue(type);
            byte[] bytes = download.body();
            assertThat((long) bytes.length).isEqualTo(file.get("bytes").asLong());
            assertThat(ImageProbe.sniff(bytes)).isEqualTo(type);
            var decoded = ImageProbe.decode(bytes, 100_000_000L);
            assertThat(decoded.getWidth()).isEqualTo(width);
            assertThat(decoded.getHeight()).isEqualTo(height);
        }
        // APIDot's own form: UTC with no offset, so clients that parse APIDot's value keep working.
        assertThat(data.get("created_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
        LocalDateTime created = LocalDateTime.parse(data.get("created_time").asString());
        LocalDateTime finished = LocalDateTime.parse(data.get("finished_time").asString());
        assertThat(finished).isAfterOrEqualTo(created);
        // The same instants in RFC 3339, additively.
        assertThat(Instant.parse(data.get("created_at").asString())).isEqualTo(created.toInstant(ZoneOffset.UTC));
        assertThat(Instant.parse(data.get("finished_at").asString())).isEqualTo(finished.toInstant(ZoneOffset.UTC));
        assertThat(data.get("error_code").isNull()).isTrue();
    }

    @Test
    void everyCatalogModelIsCoveredAbove() {
        Set<String> covered = cases().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        List<String> all = new ModelCatalog().all().stream().map(ModelSpec::id).toList();
        assertThat(covered).containsExactlyInAnyOrderElementsOf(all);
        assertThat(all).hasSize(36);
    }

    @Test
    void modelCatalogIsServedMachineReadable() {
        var r = node.client().get("/api/models", null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode models = r.data().get("models");
        assertThat(models).hasSize(36);
        JsonNode gpt = models.valueStream().filter(m -> m.get("id").asString().equals("gpt-image-2-edit")).findFirst().orElseThrow();
        assertThat(gpt.get("image_urls").asString()).isEqualTo("required");
        JsonNode size = gpt.get("fields").valueStream().filter(f -> f.get("name").asString().equals("size")).findFirst().orElseThrow();
        assertThat(size.get("enum").toString()).contains("auto", "16:9", "21:9");
        assertThat(size.get("custom_limits").get("max_edge").asInt()).isEqualTo(3840);
    }
}
