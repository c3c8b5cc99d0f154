package dev.pictor.upstream;

/** One output image, encoded, with the pixel size it really has. */
public record GeneratedImage(byte[] bytes, String contentType, int width, int height) {
}
