package dev.pictor.media;

/**
 * How many decoded pixels this node holds at once (PICTOR_DECODE_MEGAPIXELS), for the
 * {@link DecodeBudget}. The default is half the JVM's largest heap at 4 bytes per pixel.
 */
public record DecodeSettings(long megapixels) {
    public DecodeSettings {
        if (megapixels < 1 || megapixels > 2_000_000) {
            throw new IllegalArgumentException("PICTOR_DECODE_MEGAPIXELS must be from 1 to 2000000, got " + megapixels);
        }
    }
}
