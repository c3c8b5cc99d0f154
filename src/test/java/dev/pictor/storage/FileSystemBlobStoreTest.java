package dev.pictor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path dir;

    @Override
    BlobStore openStore() throws IOException {
        return new FileSystemBlobStore(dir.resolve("blobs"));
    }

    /** Beyond the contract: the refused keys really wrote nothing next to the store's folder. */
    @Test
    void nothingIsWrittenOutsideTheRoot() throws IOException {
        Files.writeString(dir.resolve("secret"), "keep");
        var store = new FileSystemBlobStore(dir.resolve("blobs"));
        for (String key : new String[] {"../secret", "../blobs-sibling/x", "a/../../secret"}) {
            assertThatThrownBy(() -> store.put(key, "x".getBytes(StandardCharsets.UTF_8), "image/png")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.deleteAll("../")).isInstanceOf(IllegalArgumentException.class);
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("secret", "blobs");
        }
        assertThat(Files.readString(dir.resolve("secret"))).isEqualTo("keep");
    }
}
