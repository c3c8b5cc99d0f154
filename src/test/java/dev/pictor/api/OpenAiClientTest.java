package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.media.ImageEncoder;
import dev.pictor.support.TestNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The official {@code openai} npm package, installed by this test from the npm registry (pinned in
 * src/test/node/openai-client), pointed at Pictor's base URL: it generates and edits images with
 * {@code b64_json} and {@code url}, and gets a typed error for a parameter the model cannot honour.
 */
class OpenAiClientTest {
    private static final Path SOURCE = Path.of("src/test/node/openai-client");
    private static final Path WORK = Path.of("target/openai-client");

    @Test
    void theOfficialOpenAiPackageWorksAgainstPictor() throws Exception {
        installClient();
        Path png = Files.createTempFile("pictor-edit-", ".png");
        Files.write(png, ImageEncoder.encode(new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG));
        try (TestNode node = TestNode.start()) {
            String output = run(List.of("node", "client.mjs", node.baseUrl() + "/v1", TestNode.ADMIN_KEY, png.toAbsolutePath().toString()), 120);
            JsonNode result = Json.parse(output.strip().lines().reduce((a, b) -> b).orElseThrow());

            assertThat(result.get("generateB64").get("size").asString()).isEqualTo("1536x1024");
            assertThat(result.get("generateB64").get("outputFormat").asString()).isEqualTo("png");
            assertThat(result.get("generateB64").get("pngSignature").asString()).isEqualTo("PNG");
            assertThat(node.client().download(result.get("generateUrl").asString()).statusCode()).isEqualTo(200);
            assertThat(result.get("edit").get("size").asString()).isEqualTo("1024x1024");
            assertThat(result.get("edit").get("images").asInt()).isEqualTo(1);
            assertThat(node.client().download(result.get("editUrl").asString()).statusCode()).isEqualTo(200);

            JsonNode error = result.get("error");
            assertThat(error.get("name").asString()).isEqualTo("BadRequestError");
            assertThat(error.get("status").asInt()).isEqualTo(400);
            assertThat(error.get("param").asString()).isEqualTo("n");
            assertThat(error.get("message").asString()).contains("z-image makes one image per request");
        }
    }

    /** Copies the client project to target/ and installs its locked dependencies once. */
    private static void installClient() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "client.mjs")) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(WORK, "run-", ".log");
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(command + " failed (exit " + process.exitValue() + "):\n" + text);
        }
        return text;
    }
}
