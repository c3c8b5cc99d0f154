package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 17, item 8: image decode and encode never touch ImageIO's disk cache. A fresh JVM has the
 * cache on; once SIGTERM starts the cache refuses new files and a running task failed
 * internal_error, and a kill -9 left imageio*.tmp files in /tmp. Here the cache is on and points
 * at a directory that no longer exists, so any use of it fails the task the same way; every task,
 * decode and all three encoders, must still finish.
 */
class ImageIoDiskCacheTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @TempDir
    Path temp;

    @Test
    void tasksDecodeAndEncodeInMemoryWithTheDiskCacheUnusable() throws Exception {
        boolean useCache = ImageIO.getUseCache();
        File cacheDir = ImageIO.getCacheDirectory();
        try (ImageServer images = new ImageServer(); TestNode node = TestNode.start()) {
            String source = images.image("src.png", 64, 48, 0x3366ff); // encoded before the cache is broken
            Path gone = Files.createDirectory(temp.resolve("imageio-cache"));
            ImageIO.setUseCache(true);
            ImageIO.setCacheDirectory(gone.toFile());
            Files.delete(gone);

            ApiClient client = node.client();
            for (String format : new String[] {"png", "jpeg", "webp"}) {
                String id = client.submit(KEY, "nano-banana-2", (ObjectNode) Json.parse(
                        "{\"prompt\":\"a fox\",\"size\":\"1:1\",\"output_format\":\"" + format + "\"}"));
                JsonNode done = client.awaitTerminal(KEY, id, Duration.ofSeconds(30));
                assertThat(done.get("status").asString()).as(format + ": " + done).isEqualTo("finished");
            }
            String edit = client.submit(KEY, "nano-banana-2-edit", (ObjectNode) Json.parse(
                    "{\"prompt\":\"same\",\"image_urls\":[\"" + source + "\"]}"));
            JsonNode done = client.awaitTerminal(KEY, edit, Duration.ofSeconds(30));
            assertThat(done.get("status").asString()).as("edit: " + done).isEqualTo("finished");
            assertThat(client.download(ApiClient.fileUrls(done).getFirst()).statusCode()).isEqualTo(200);
        } finally {
            ImageIO.setCacheDirectory(cacheDir);
            ImageIO.setUseCache(useCache);
        }
    }
}
