package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.StoredFile;
import dev.pictor.task.Task;
import dev.pictor.task.TaskStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The images answer takes the bytes the run that ended the task here handed over, and reads from
 * the blob store only the files it was not handed (on S3, each read is a GET).
 */
class OpenAiResponsesTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private final CountingBlobStore blobs = new CountingBlobStore();
    private final OpenAiResponses responses = new OpenAiResponses(blobs,
            new FileUrls(new byte[32], () -> "http://127.0.0.1:1", Duration.ofHours(1), Clock.systemUTC()));
    private final OpenAiRequest b64 = new OpenAiRequest("gpt-image-2", "p", 2, null, null, null, null, "b64_json", List.of(), false);

    private static Task finished(List<StoredFile> files) {
        return new Task("task-unified-1-abcd", "tenant", "gpt-image-2", TaskStatus.FINISHED, "{}", null, "sandbox", 100, null, null,
                files, T0, T0, T0.plusSeconds(1), T0.plusSeconds(600), null, 0, List.of(), Map.of(), List.of());
    }

    private static StoredFile file(String key) {
        return new StoredFile(key, "image/png", 8, 8, 3, "sandbox");
    }

    @Test
    void handedBytesAreAnsweredWithoutReadingTheStoreAndOthersAreRead() throws IOException {
        blobs.stored.put("t/1.png", new byte[] {4, 5, 6});
        Task done = finished(List.of(file("t/0.png"), file("t/1.png")));

        var body = responses.images(done, b64, Map.of("t/0.png", new byte[] {1, 2, 3}));

        assertThat(Base64.getDecoder().decode(body.get("data").get(0).get("b64_json").asString())).containsExactly(1, 2, 3);
        assertThat(Base64.getDecoder().decode(body.get("data").get(1).get("b64_json").asString())).containsExactly(4, 5, 6);
        assertThat(blobs.opens).hasValue(1);
    }

    @Test
    void aFileNeitherHandedNorStoredIsAnError() {
        assertThatThrownBy(() -> responses.images(finished(List.of(file("t/0.png"))), b64, Map.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("t/0.png");
    }

    private static final class CountingBlobStore implements BlobStore {
        final Map<String, byte[]> stored = new ConcurrentHashMap<>();
        final AtomicInteger opens = new AtomicInteger();

        @Override
        public void put(String key, byte[] bytes, String contentType) {
            stored.put(key, bytes);
        }

        @Override
        public Optional<Blob> open(String key) {
            opens.incrementAndGet();
            byte[] bytes = stored.get(key);
            return bytes == null ? Optional.empty() : Optional.of(new Blob(new ByteArrayInputStream(bytes), bytes.length));
        }

        @Override
        public void delete(String key) {
            stored.remove(key);
        }

        @Override
        public void deleteAll(String prefix) {
            stored.keySet().removeIf(k -> k.startsWith(prefix));
        }
    }
}
