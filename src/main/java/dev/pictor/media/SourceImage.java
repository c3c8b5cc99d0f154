package dev.pictor.media;

import dev.pictor.catalog.ImageFormat;

/** A fetched and checked source image: its bytes, its sniffed format (GIF sources are decoded), and size. */
public record SourceImage(byte[] bytes, String contentType, int width, int height) {
    public boolean isFormat(ImageFormat format) {
        return format.contentType().equals(contentType);
    }
}
