package dev.pictor.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where output images live. Keys are relative paths such as {@code <task id>/0.png}; the store
 * never interprets them beyond that.
 */
public interface BlobStore {

    void put(String key, byte[] bytes, String contentType) throws IOException;

    /** The blob's bytes as a stream and its length, or empty when there is no such blob. */
    Optional<Blob> open(String key) throws IOException;

    /** Removes the blob; removing a missing blob is not an error. */
    void delete(String key) throws IOException;

    /** Removes every blob whose key starts with {@code prefix} (a task's {@code "<id>/"}). */
    void deleteAll(String prefix) throws IOException;

    /**
     * Whether the store can be used right now (for {@code /readyz}); answers within a few seconds
     * even when the store is unreachable.
     */
    default boolean isReachable() {
        return true;
    }

    /**
     * A URL at which clients fetch the blob from the store itself for {@code lifetime}, or empty when
     * downloads stream through Pictor (the default).
     */
    default Optional<URI> directUrl(String key, Duration lifetime) {
        return Optional.empty();
    }

    /** An open blob; close the stream. */
    record Blob(InputStream stream, long length) {
    }
}
