package dev.pictor.media;

import dev.pictor.catalog.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes images as PNG (8-bit RGB(A) by {@link PngEncoder}, other pixel forms by ImageIO), JPEG
 * (quality 0.9) or lossless WebP. Same pixels in, same bytes out.
 */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    public static byte[] encode(BufferedImage image, ImageFormat format) {
        return switch (format) {
            case WEBP -> WebpLosslessEncoder.encode(image);
            case PNG -> PngEncoder.handles(image) ? PngEncoder.encode(image) : write(image, "png", null);
            case JPEG -> write(toRgb(image), "jpeg", 0.9f);
        };
    }

    private static byte[] write(BufferedImage image, String formatName, Float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(formatName).next();
        var bytes = new ByteArrayOutputStream();
        // In memory, never ImageIO's disk cache (see ImageProbe.memory): the cache fails after SIGTERM.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** JPEG has no alpha channel; flatten onto white first. */
    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return rgb;
    }
}
