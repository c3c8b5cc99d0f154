package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.common.Json;
import dev.pictor.support.TestNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's model names through the official {@code openai} npm package: served by the sandbox when no
 * OpenAI upstream is configured, at exactly OpenAI's sizes, and mapped by {@code PICTOR_MODEL_ALIASES}.
 */
class OpenAiModelNamesTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void openAiNamesAreServedByTheSandboxAtOpenAisSizes() throws Exception {
        NodeClient.install();
        try (TestNode node = TestNode.start()) {
            JsonNode result = NodeClient.runLastJson(List.of("node", "models.mjs", node.baseUrl() + "/v1", KEY), 120);
            assertSize(result.get("gpt-image-1"), 1536, 1024);
            assertSize(result.get("gpt-image-1.5"), 1024, 1536);
            assertSize(result.get("dall-e-3"), 1792, 1024);
            assertSize(result.get("dall-e-2"), 256, 256);
            JsonNode status = node.client().get("/api/generate/status/" + result.get("dall-e-3").get("taskId").asString(), KEY).data();
            assertThat(status.get("model").asString()).isEqualTo("dall-e-3");
            assertThat(status.get("provider").asString()).isEqualTo("sandbox");

            JsonNode error = result.get("error");
            assertThat(error.get("status").asInt()).isEqualTo(400);
            assertThat(error.get("param").asString()).isEqualTo("size");
            assertThat(error.get("message").asString()).contains("dall-e-3");
        }
    }

    @Test
    void anOperatorAliasMakesAnOpenAiNameMeanAnotherCatalogModel() throws Exception {
        NodeClient.install();
        try (TestNode node = TestNode.start(Map.of("PICTOR_MODEL_ALIASES", "dall-e-3=gpt-image-2, dalle=z-image"))) {
            JsonNode result = NodeClient.runLastJson(List.of("node", "models.mjs", node.baseUrl() + "/v1", KEY), 120);
            assertSize(result.get("dall-e-3"), 1792, 1024);
            JsonNode status = node.client().get("/api/generate/status/" + result.get("dall-e-3").get("taskId").asString(), KEY).data();
            assertThat(status.get("model").asString()).isEqualTo("gpt-image-2");
            assertThat(node.client().get("/api/generate/status/" + result.get("gpt-image-1").get("taskId").asString(), KEY).data()
                    .get("model").asString()).isEqualTo("gpt-image-1");
        }
        assertThatThrownBy(() -> TestNode.start(Map.of("PICTOR_MODEL_ALIASES", "dall-e-3=no-such-model")).close())
                .hasMessageContaining("no-such-model");
    }

    private static void assertSize(JsonNode image, int width, int height) {
        assertThat(image.get("width").asInt()).as(image.toString()).isEqualTo(width);
        assertThat(image.get("height").asInt()).as(image.toString()).isEqualTo(height);
    }

    /** The client project under target/, installed once from its lock file, as OpenAiClientTest does. */
    static final class NodeClient {
        private static final java.nio.file.Path SOURCE = java.nio.file.Path.of("src/test/node/openai-client");
        private static final java.nio.file.Path WORK = java.nio.file.Path.of("target/openai-client");

        static void install() throws Exception {
            java.nio.file.Files.createDirectories(WORK);
            for (String file : List.of("package.json", "package-lock.json", "client.mjs", "models.mjs", "retry.mjs")) {
                if (java.nio.file.Files.exists(SOURCE.resolve(file))) {
                    java.nio.file.Files.copy(SOURCE.resolve(file), WORK.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (!java.nio.file.Files.isDirectory(WORK.resolve("node_modules/openai"))) {
                run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
            }
        }

        static JsonNode runLastJson(List<String> command, int timeoutSeconds) throws Exception {
            return Json.parse(run(command, timeoutSeconds).strip().lines().reduce((a, b) -> b).orElseThrow());
        }

        static String run(List<String> command, int timeoutSeconds) throws Exception {
            java.nio.file.Path log = java.nio.file.Files.createTempFile(WORK, "run-", ".log");
            Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + java.nio.file.Files.readString(log));
            }
            String text = java.nio.file.Files.readString(log);
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " failed (exit " + process.exitValue() + "):\n" + text);
            }
            return text;
        }
    }
}
