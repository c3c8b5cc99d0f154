package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The ComfyUI adapter against a fake of ComfyUI's server. */
class ComfyUiUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String FLUX = "{\"prompt\":\"P\",\"size\":\"1:1\",\"resolution\":\"1K\"}";

    private static Map<String, String> env(FakeComfyUi fake, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_COMFYUI_URL", fake.baseUrl(), "PICTOR_COMFYUI_WORKFLOWS", fake.workflows.toString(),
                "PICTOR_UPSTREAM_POLL_MS", "20"));
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    private static String submit(TestNode node, String input) {
        return node.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse(input).deepCopy());
    }

    @Test
    void fillsThePlaceholdersQueuesThePromptAndFetchesTheSavedImages() {
        try (var fake = new FakeComfyUi()) {
            fake.writeWorkflow("wan-2.7-image", FakeComfyUi.textToImage());
            fill(fake);
        }
    }

    private static void fill(FakeComfyUi fake) {
        try (TestNode node = TestNode.start(env(fake))) {
            JsonNode data = run(node, "wan-2.7-image", "{\"prompt\":\"a lighthouse\",\"size\":\"1024x768\",\"n\":2,\"seed\":7}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("comfyui");
            JsonNode prompt = fake.lastPrompt();
            assertThat(prompt.at("/6/inputs/text").asString()).isEqualTo("a lighthouse, high detail");
            assertThat(prompt.at("/3/inputs/seed").isIntegralNumber()).isTrue();
            assertThat(prompt.at("/3/inputs/seed").asLong()).isEqualTo(7);
            assertThat(prompt.at("/5/inputs/width").asInt()).isEqualTo(1024);
            assertThat(prompt.at("/5/inputs/height").asInt()).isEqualTo(768);
            assertThat(prompt.at("/5/inputs/batch_size").asInt()).isEqualTo(2);
            assertThat(prompt.at("/4/inputs/ckpt_name").asString()).isEqualTo("flux2.safetensors");
            // the two saved images, not the temp preview
            assertThat(data.get("files")).hasSize(2);
            assertThat(data.get("files").get(0).get("width").asInt()).isEqualTo(1024);
            assertThat(fake.calls("/view")).hasSize(2).allSatisfy(c -> assertThat(c.path()).contains("type=output"));
            JsonNode sent = Json.parse(fake.calls("/prompt").getFirst().bodyText());
            String taskId = data.get("task_id").asString();
            assertThat(sent.get("client_id").asString()).isEqualTo(taskId);
            assertThat(sent.get("prompt_id").asString()).isEqualTo(fake.jobs().getFirst().id);
        }
    }

    @Test
    void anEditUploadsItsSourceAndNamesItInLoadImage() {
        try (var fake = new FakeComfyUi(); var images = new ImageServer(); TestNode node = TestNode.start(env(fake))) {
            String src = images.image("s.png", 200, 100, 0x445566);
            JsonNode data = run(node, "flux-2-pro-edit", "{\"prompt\":\"at night\",\"size\":\"1:1\",\"resolution\":\"1K\",\"image_urls\":[\"" + src + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            var upload = fake.calls("/upload/image").getFirst();
            assertThat(upload.header("Content-Type")).startsWith("multipart/form-data; boundary=");
            assertThat(upload.bodyText()).contains("name=\"image\"; filename=\"pictor-").contains("name=\"overwrite\"\r\n\r\ntrue");
            String name = fake.uploads().keySet().iterator().next();
            assertThat(name).endsWith("-1.png");
            assertThat(fake.lastPrompt().at("/10/inputs/image").asString()).isEqualTo(name);
        }
    }

    @Test
    void aSecondTaskWaitsInPictorUntilComfyUisQueueHasRoom() {
        try (var fake = new FakeComfyUi(); TestNode node = TestNode.start(env(fake))) {
            fake.pendingPolls = 1_000_000;
            String first = submit(node, FLUX.replace("P", "one"));
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.submits() == 1);
            String second = submit(node, FLUX.replace("P", "two"));
            // the second is polled (it waits as a Pictor job) but never reaches ComfyUI's queue
            int queueReads = fake.calls("/queue").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls("/queue").size() > queueReads + 4);
            assertThat(fake.submits()).isEqualTo(1);
            fake.finishAll();
            assertThat(node.client().awaitTerminal(KEY, first, Duration.ofSeconds(30)).get("status").asString()).isEqualTo("finished");
            JsonNode data = node.client().awaitTerminal(KEY, second, Duration.ofSeconds(30));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(fake.submits()).isEqualTo(2);
            assertThat(fake.lastPrompt().at("/6/inputs/text").asString()).startsWith("two");
        }
    }

    @Test
    void cancelDeletesAQueuedPromptAndInterruptsARunningOne() {
        try (var fake = new FakeComfyUi(); TestNode node = TestNode.start(env(fake, "PICTOR_COMFYUI_CONCURRENCY", "2"))) {
            fake.pendingPolls = 1_000_000;
            String running = submit(node, FLUX.replace("P", "one"));
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.submits() == 1);
            String queued = submit(node, FLUX.replace("P", "two"));
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.submits() == 2);
            String queuedId = fake.jobs().get(1).id;
            String runningId = fake.jobs().get(0).id;
            assertThat(node.client().post("/api/generate/cancel/" + queued, "", KEY).data().get("cancel_result").asString()).isEqualTo("cancelled");
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.calls().stream().anyMatch(c -> c.method().equals("POST") && c.path().equals("/queue")
                    && c.bodyText().contains(queuedId)));
            assertThat(fake.calls("/interrupt")).isEmpty();
            assertThat(node.client().post("/api/generate/cancel/" + running, "", KEY).data().get("cancel_result").asString()).isEqualTo("cancelled");
            await().atMost(Duration.ofSeconds(5)).until(() -> !fake.calls("/interrupt").isEmpty());
            assertThat(fake.calls("/interrupt").getFirst().bodyText()).contains(runningId);
        }
    }

    @Test
    void anExecutionErrorIsTheOperatorsWithComfyUisMessage() {
        try (var fake = new FakeComfyUi(); TestNode node = TestNode.start(env(fake))) {
            fake.failWith = "CUDA out of memory";
            JsonNode data = run(node, "flux-2-pro", FLUX.replace("P", "x"));
            assertThat(data.get("status").asString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("node 3 (KSampler)").contains("CUDA out of memory").contains("ComfyUI's log");
            assertThat(fake.submits()).isEqualTo(1);
        }
    }

    @Test
    void aMissingCustomNodeIsAMisconfigurationNotInvalidInput() {
        try (var fake = new FakeComfyUi()) {
            fake.writeWorkflow("nano-banana-2", FakeComfyUi.textToImage().replace("\"KSampler\"", "\"KSamplerAdvancedPlus\""));
            try (TestNode node = TestNode.start(env(fake))) {
                JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"x\"}");
                assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("upstream_error");
                assertThat(data.get("error_message").asString()).contains("KSamplerAdvancedPlus").contains("install that custom node");
            }
        }
    }

    @Test
    void aRouteCanPointAnyModelAtANamedWorkflow() {
        try (var fake = new FakeComfyUi()) {
            fake.writeWorkflow("my-sdxl", FakeComfyUi.textToImage().replace("flux2.safetensors", "sdxl.safetensors"));
            try (TestNode node = TestNode.start(env(fake, "PICTOR_ROUTES", "nano-banana-2=comfyui:my-sdxl"))) {
                JsonNode data = run(node, "nano-banana-2", "{\"prompt\":\"x\"}");
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                assertThat(fake.lastPrompt().at("/4/inputs/ckpt_name").asString()).isEqualTo("sdxl.safetensors");
            }
        }
    }

    @Test
    void startUpRefusesAMisconfiguredFolderWithOneLine() throws Exception {
        try (var fake = new FakeComfyUi()) {
            assertThatThrownBy(() -> TestNode.start(Map.of("PICTOR_COMFYUI_URL", fake.baseUrl())))
                    .hasStackTraceContaining("PICTOR_COMFYUI_WORKFLOWS must be set together with PICTOR_COMFYUI_URL");
            assertRefused(fake, "broken", "{\"3\": {", "broken.json is not valid JSON");
            assertRefused(fake, "flux-2-flex", "{\"nodes\": [], \"links\": []}", "UI format");
            assertRefused(fake, "holiday", FakeComfyUi.textToImage(), "holiday.json names no catalog model");
            assertRefused(fake, "seedream-4.5", FakeComfyUi.textToImage().replace("{{count}}", "1"), "no {{count}} placeholder");
            assertRefused(fake, "flux-2-flex", FakeComfyUi.textToImage().replace("{{prompt}}", "a cat"), "no {{prompt}} placeholder");
            assertRefused(fake, "flux-2-flex", FakeComfyUi.textToImage().replace("{{seed}}", "{{sede}}"), "unknown placeholder {{sede}}");
            assertRefused(fake, "flux-2-flex-edit", FakeComfyUi.textToImage(), "has no {{image_1}} placeholder");
            assertThatThrownBy(() -> TestNode.start(env(fake, "PICTOR_ROUTES", "nano-banana-2=comfyui:absent")))
                    .hasStackTraceContaining("has no absent.json");
        }
    }

    private static void assertRefused(FakeComfyUi fake, String name, String json, String message) throws Exception {
        Path file = fake.workflows.resolve(name + ".json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        try {
            assertThatThrownBy(() -> TestNode.start(env(fake))).hasStackTraceContaining(message);
        } finally {
            Files.delete(file);
        }
    }
}
