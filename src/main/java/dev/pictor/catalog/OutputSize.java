package dev.pictor.catalog;

/**
 * The pixel size a request produces: known at submit, or derived from the first source image
 * ({@code size: auto} on edit models, which keep the source's aspect ratio).
 */
public sealed interface OutputSize {

    record Fixed(Dimensions dimensions) implements OutputSize {
    }

    /** The first source's aspect ratio at {@code area} pixels, within the model's limits. */
    record FromSource(long area, int multiple, int maxEdge, long maxPixels) implements OutputSize {
        public Dimensions forSource(int sourceWidth, int sourceHeight) {
            return Dimensions.fromRatio(sourceWidth, sourceHeight, area, multiple, maxEdge, maxPixels);
        }
    }

    default Dimensions resolve(Dimensions firstSource) {
        return switch (this) {
            case Fixed f -> f.dimensions();
            case FromSource s -> s.forSource(firstSource.width(), firstSource.height());
        };
    }
}
