package dev.pictor.catalog;

/** Output encodings Pictor writes. */
public enum ImageFormat {
    PNG("png", "image/png"),
    JPEG("jpeg", "image/jpeg"),
    WEBP("webp", "image/webp");

    private final String extension;
    private final String contentType;

    ImageFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    public String extension() {
        return extension;
    }

    public String contentType() {
        return contentType;
    }

    /** Accepts the spellings the models use: png, jpeg, jpg, webp. */
    public static ImageFormat fromInput(String value) {
        return switch (value) {
            case "png" -> PNG;
            case "jpeg", "jpg" -> JPEG;
            case "webp" -> WEBP;
            default -> throw new IllegalArgumentException("unknown image format " + value);
        };
    }

}
