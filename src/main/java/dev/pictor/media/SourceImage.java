package dev.pictor.media;

/** A fetched and checked source image: its bytes, its sniffed format (GIF sources are decoded), and size. */
public record SourceImage(byte[] bytes, String contentType, int width, int height) {
}
