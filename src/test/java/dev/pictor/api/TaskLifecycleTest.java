package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** How tasks end: on purpose, by deadline, on a bad source, and across a graceful restart. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskLifecycleTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private TestNode node;
    private ImageServer images;

    @BeforeAll
    void start() {
        node = TestNode.start(Map.of("PICTOR_TASK_DEADLINE_SECONDS", "2"));
        images = new ImageServer();
    }

    @AfterAll
    void stop() {
        node.close();
        images.close();
    }

    private static ObjectNode input(String json) {
        return (ObjectNode) Json.parse(json);
    }

    @Test
    void sandboxFailsOnRequestWithTheRequestedCode() {
        String id = node.client().submit(KEY, "z-image", input("{\"prompt\":\"a fox [sandbox:fail=content_moderated]\",\"size\":\"1:1\"}"));
        JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
        assertThat(data.get("status").asString()).isEqualTo("failed");
        assertThat(data.get("error_code").asString()).isEqualTo("content_moderated");
        assertThat(data.get("error_message").asString()).contains("sandbox failure requested");
        assertThat(data.get("files")).isEmpty();

        String plain = node.client().submit(KEY, "z-image", input("{\"prompt\":\"[sandbox:fail] a fox\",\"size\":\"1:1\"}"));
        assertThat(node.client().awaitTerminal(KEY, plain, Duration.ofSeconds(10)).get("error_code").asString()).isEqualTo("upstream_error");
    }

    @Test
    void aTaskThatHangsFailsWithTimeoutAtItsDeadline() {
        String id = node.client().submit(KEY, "z-image", input("{\"prompt\":\"[sandbox:hang]\",\"size\":\"1:1\"}"));
        JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(15));
        assertThat(data.get("status").asString()).isEqualTo("failed");
        assertThat(data.get("error_code").asString()).isEqualTo("timeout");
    }

    @Test
    void aSourceThatCannotBeFetchedFailsTheTaskNamingItsIndex() {
        String good = images.image("ok.png", 64, 64, 0x3366ff);
        String missing = images.url("/img/missing.png");
        String id = node.client().submit(KEY, "nano-banana-2-edit", input("{\"prompt\":\"x\",\"image_urls\":[\"" + good + "\",\"" + missing + "\"]}"));
        JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
        assertThat(data.get("error_code").asString()).isEqualTo("source_fetch_failed");
        assertThat(data.get("error_message").asString()).contains("image_urls[1]").contains("HTTP 404").doesNotContain("missing.png");

        String notAnImage = node.client().submit(KEY, "flux-kontext-pro-edit", input("{\"prompt\":\"x\",\"image_urls\":[\"" + images.url("/text") + "\"]}"));
        assertThat(node.client().awaitTerminal(KEY, notAnImage, Duration.ofSeconds(10)).get("error_message").asString())
                .contains("image_urls[0]").contains("not a PNG, JPEG, WebP or GIF");
    }

    @Test
    void theSameRequestGivesTheSameBytesAndEditsUseTheSourcePixels() {
        String red = images.image("red.png", 200, 100, 0xff0000);
        String blue = images.image("blue.png", 200, 100, 0x0000ff);
        byte[] a = firstFile("nano-banana-2", "{\"prompt\":\"same\",\"seed\":1}");
        byte[] b = firstFile("nano-banana-2", "{\"prompt\":\"same\",\"seed\":1}");
        byte[] c = firstFile("nano-banana-2", "{\"prompt\":\"same\",\"seed\":2}");
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        byte[] editRed = firstFile("nano-banana-2-edit", "{\"prompt\":\"same\",\"image_urls\":[\"" + red + "\"]}");
        byte[] editBlue = firstFile("nano-banana-2-edit", "{\"prompt\":\"same\",\"image_urls\":[\"" + blue + "\"]}");
        assertThat(editRed).isNotEqualTo(editBlue);
    }

    private byte[] firstFile(String model, String json) {
        String id = node.client().submit(KEY, model, input(json));
        JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
        return node.client().download(ApiClient.fileUrls(data).getFirst()).body();
    }

    @Test
    void sourcesOnPrivateAddressesAreRefusedWhenNotAllowed() {
        try (TestNode strict = TestNode.start(Map.of("PICTOR_FETCH_ALLOW", ""))) {
            String local = images.image("local.png", 32, 32, 0);
            String id = strict.client().submit(KEY, "flux-kontext-pro-edit", input("{\"prompt\":\"x\",\"image_urls\":[\"" + local + "\"]}"));
            JsonNode data = strict.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
            assertThat(data.get("error_code").asString()).isEqualTo("source_fetch_failed");
            assertThat(data.get("error_message").asString()).contains("image_urls[0]").contains("loopback");
        }
    }

    @Test
    void progressIsReportedWhileRunningAndUnfinishedWorkSurvivesAGracefulStop() throws Exception {
        var dir = java.nio.file.Files.createTempDirectory("pictor-graceful-");
        String id;
        try (TestNode slow = TestNode.start(dir, Map.of("PICTOR_SANDBOX_LATENCY_MS", "60000", "PICTOR_SHUTDOWN_GRACE_SECONDS", "0"))) {
            id = slow.client().submit(KEY, "z-image", input("{\"prompt\":\"slow\",\"size\":\"1:1\"}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode d = slow.client().get("/api/generate/status/" + id, KEY).data();
                return d.get("status").asString().equals("running") && d.get("progress").asInt() > 0;
            });
        }
        // The stopped node handed the task back; a new node picks it up at once, without waiting for a lease to expire.
        try (TestNode next = TestNode.start(dir, Map.of("PICTOR_LEASE_SECONDS", "600"))) {
            JsonNode data = next.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
            assertThat(data.get("status").asString()).isEqualTo("finished");
        }
    }
}
