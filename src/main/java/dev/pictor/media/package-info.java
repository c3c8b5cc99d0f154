/**
 * Image bytes: {@link dev.pictor.media.SafeFetcher} (downloads a source image through net's pinned
 * client within byte and pixel limits), {@link dev.pictor.media.ImageProbe} (type and dimensions),
 * {@link dev.pictor.media.ImageEncoder} (PNG, JPEG, lossless WebP) and
 * {@link dev.pictor.media.SourceImage}, and {@link dev.pictor.media.ImageWork}, the platform threads
 * that CPU-heavy image work runs on so that it does not hold the virtual threads' carriers. It imports net and catalog (for {@code ImageFormat}).
 */
package dev.pictor.media;
