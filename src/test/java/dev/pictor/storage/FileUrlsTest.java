package dev.pictor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.support.MutableClock;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FileUrlsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final FileUrls urls = new FileUrls("k".repeat(32).getBytes(), () -> "https://cdn.example.com", Duration.ofHours(1), clock);

    private static String param(URI uri, String name) {
        for (String pair : uri.getQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Test
    void aSignedUrlIsValidUntilItExpires() {
        URI uri = URI.create(urls.urlFor("task-1/0.png"));
        assertThat(uri.toString()).startsWith("https://cdn.example.com/files/task-1/0.png?expires=");
        String expires = param(uri, "expires");
        String sig = param(uri, "sig");
        assertThat(urls.refusal("task-1/0.png", expires, sig)).isNull();
        assertThat(urls.refusal("task-1/1.png", expires, sig)).isEqualTo("invalid signature");
        assertThat(urls.refusal("task-1/0.png", Long.toString(Long.parseLong(expires) + 3600), sig)).isEqualTo("invalid signature");
        assertThat(urls.refusal("task-1/0.png", expires, null)).isEqualTo("missing signature");
        clock.advance(Duration.ofHours(2));
        assertThat(urls.refusal("task-1/0.png", expires, sig)).isEqualTo("link expired");
    }

    @Test
    void anotherKeyCannotForgeUrls() {
        var other = new FileUrls("x".repeat(32).getBytes(), () -> "https://cdn.example.com", Duration.ofHours(1), clock);
        URI uri = URI.create(other.urlFor("task-1/0.png"));
        assertThat(urls.refusal("task-1/0.png", param(uri, "expires"), param(uri, "sig"))).isEqualTo("invalid signature");
    }

    @Test
    void blobKeysCannotEscapeTheRoot() throws Exception {
        var store = new FileSystemBlobStore(Files.createTempDirectory("blobs-"));
        assertThatThrownBy(() -> store.put("../outside.png", new byte[1], "image/png")).isInstanceOf(IllegalArgumentException.class);
        store.put("t/0.png", new byte[] {1, 2, 3}, "image/png");
        try (var in = store.open("t/0.png").orElseThrow().stream()) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
        store.delete("t/0.png");
        assertThat(store.open("t/0.png")).isEmpty();
        store.delete("t/0.png");
    }
}
