package dev.pictor.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where output images live. Keys are relative paths such as {@code <task id>/0.png}; the store
 * never interprets them beyond that. A key that is not a plain relative path is refused by every
 * backend alike ({@link #checkKey}), so one key means one blob everywhere and none reaches outside.
 */
public interface BlobStore {
    /**
     * Returns {@code key} if it is a plain relative path: not empty, no leading, trailing or doubled
     * {@code /}, no {@code .} or {@code ..} segment, no backslash and no NUL; else throws
     * {@link IllegalArgumentException}. A file system would otherwise normalise {@code a/../b} to
     * {@code b} where an object store keeps it as it is.
     */
    static String checkKey(String key) {
        if (key.isEmpty() || key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid blob key");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid blob key");
            }
        }
        return key;
    }

    /** Returns {@code prefix} if it names a folder: a valid key followed by {@code /}. */
    static String checkFolderPrefix(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must name a folder");
        }
        checkKey(prefix.substring(0, prefix.length() - 1));
        return prefix;
    }

    void put(String key, byte[] bytes, String contentType) throws IOException;

    /** The blob's bytes as a stream and its length, or empty when there is no such blob. */
    Optional<Blob> open(String key) throws IOException;

    /** Removes the blob; removing a missing blob is not an error. */
    void delete(String key) throws IOException;

    /** Removes every blob whose key starts with {@code prefix} (a task's {@code "<id>/"}); see {@link #checkFolderPrefix}. */
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
