package dev.pictor.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Recognises images by their bytes (never by headers or file names), reads their pixel size from the
 * header before decoding anything, and decodes only images under a pixel budget, which stops
 * decompression bombs before they allocate.
 */
public final class ImageProbe {
    static {
        // The WebP reader comes from a plugin jar; make sure ImageIO has seen it.
        ImageIO.scanForPlugins();
    }

    private ImageProbe() {
    }

    /**
     * The node had not the memory to decode an image it accepted: a capacity fault of the node,
     * never a fault of the image, so it must not read as "could not be decoded".
     */
    public static final class OutOfMemory extends IOException {
        OutOfMemory(int width, int height) {
            super("not enough memory on this node to decode a " + width + "x" + height + " image");
        }
    }

    /** The content type the bytes start like, or null for anything but PNG, JPEG, WebP and GIF. */
    public static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0d && b[5] == 0x0a && b[6] == 0x1a && b[7] == 0x0a) {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9') && b[5] == 'a') {
            return "image/gif";
        }
        return null;
    }

    /** Width and height from the image header; throws when the bytes are not a readable image. */
    public static int[] dimensions(byte[] bytes, String contentType) throws IOException {
        try (ImageInputStream in = memory(bytes)) {
            ImageReader reader = readerFor(contentType);
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }

    /** Decodes the (first frame of the) image, refusing one above {@code maxPixels}. */
    public static BufferedImage decode(byte[] bytes, long maxPixels) throws IOException {
        String type = sniff(bytes);
        if (type == null) {
            throw new IOException("not a PNG, JPEG, WebP or GIF image");
        }
        int[] size = dimensions(bytes, type);
        if ((long) size[0] * size[1] > maxPixels) {
            throw new IOException("image is " + size[0] + "x" + size[1] + ", over the limit of " + maxPixels + " pixels");
        }
        BufferedImage image;
        try {
            image = read(bytes, type);
        } catch (OutOfMemoryError e) {
            throw new OutOfMemory(size[0], size[1]);
        } catch (IOException e) {
            if (causedByOutOfMemory(e)) {
                throw new OutOfMemory(size[0], size[1]);
            }
            throw e;
        }
        if (image == null) {
            throw new IOException("image could not be decoded");
        }
        return image;
    }

    /** Decodes the first frame with ImageIO, in memory; null when the reader gives no image. */
    static BufferedImage read(byte[] bytes, String contentType) throws IOException {
        try (ImageInputStream in = memory(bytes)) {
            ImageReader reader = readerFor(contentType);
            try {
                reader.setInput(in, true, true);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Whether an OutOfMemoryError is behind {@code e}: readers wrap it (PNG's "Caught exception during
     * read") or attach it as suppressed, and the message then misleads ("Error reading PNG image data").
     */
    static boolean causedByOutOfMemory(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof OutOfMemoryError) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /**
     * An in-memory stream, never ImageIO's default disk cache: that cache writes imageio*.tmp files
     * outside the data dir (left behind by a kill -9) and is refused once shutdown starts (it deletes
     * through a shutdown hook), which failed the last tasks of a graceful stop. The bytes are in
     * memory already, so the cache saved nothing.
     */
    static ImageInputStream memory(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    private static ImageReader readerFor(String contentType) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(contentType);
        if (!readers.hasNext()) {
            throw new IOException("no decoder for " + contentType);
        }
        return readers.next();
    }
}
