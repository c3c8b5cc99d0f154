package dev.pictor.storage;

/** One output image as kept in the BlobStore: its key and what a client needs to know about it. */
public record StoredFile(String key, String contentType, int width, int height, long bytes, String provider) {
}
