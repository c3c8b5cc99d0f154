package dev.pictor.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit RGB or RGBA PNG for the image types Pictor itself produces (the sandbox's paintings,
 * converted and resized outputs). ImageIO's writer took 12-15 ms for a 512x512 sandbox picture: it
 * tries all five row filters on every row and goes through its stream and metadata layers. This one
 * copies the rows straight out of an int raster, filters nothing and deflates at level 3, which
 * measured 4.2-4.6 ms for the same picture (docs/architecture.md has the figures).
 *
 * <p>Why no row filter: deflate's cost here is coding literals, so what it can match is what makes it
 * fast. The sandbox's pictures repeat the row above shifted by a pixel, which deflate matches whole;
 * the Up filter turned them into short runs of small residuals (7.5 ms, files 30 KB instead of 23 KB).
 * On photographs Up gave files 15 % smaller and no filter files as large as ImageIO's, which is what
 * they were before; converted and resized outputs are rare and follow an upstream call of seconds.
 *
 * <p>Only images whose pixels are plain 8-bit sRGB samples are written here ({@link #handles}); others
 * (grey, 16-bit, indexed, premultiplied) keep ImageIO, which writes them in their own form. An image
 * whose alpha is opaque everywhere is written as RGB. The bytes depend only on the pixels.
 */
final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int NO_FILTER = 0;
    /** Deflate level 3: as fast as level 1 on these rows, with files about a tenth smaller. */
    private static final int LEVEL = 3;
    private static final int MAX_IDAT = 1 << 20;

    private PngEncoder() {
    }

    /** The types whose {@link BufferedImage#getRGB} is exact: 8-bit sRGB samples, not premultiplied. */
    static boolean handles(BufferedImage image) {
        return switch (image.getType()) {
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR,
                 BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR -> true;
            default -> false;
        };
    }

    static byte[] encode(BufferedImage image) {
        if (!handles(image)) {
            throw new IllegalArgumentException("PngEncoder does not write images of type " + image.getType());
        }
        int width = image.getWidth();
        int height = image.getHeight();
        var rows = new RowReader(image);
        boolean alpha = image.getColorModel().hasAlpha() && !rows.opaque();
        int channels = alpha ? 4 : 3;
        int stride = width * channels;

        var out = new ByteArrayOutputStream(64 + width * height);
        out.writeBytes(SIGNATURE);
        byte[] header = new byte[13];
        putInt(header, 0, width);
        putInt(header, 4, height);
        header[8] = 8; // bits per sample
        header[9] = (byte) (alpha ? 6 : 2); // colour type: RGBA or RGB
        // compression 0 (deflate), filter method 0, no interlace: the zeros already there
        chunk(out, "IHDR", header, 0, header.length);

        var deflater = new Deflater(LEVEL);
        var compressed = new Growable(Math.max(1024, width * height / 2));
        try {
            int[] pixels = new int[width];
            byte[] filtered = new byte[stride + 1];
            filtered[0] = NO_FILTER;
            for (int y = 0; y < height; y++) {
                rows.read(y, pixels);
                samples(pixels, filtered, alpha);
                deflater.setInput(filtered);
                while (!deflater.needsInput()) {
                    compressed.deflateFrom(deflater);
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                compressed.deflateFrom(deflater);
            }
        } finally {
            deflater.end();
        }
        for (int at = 0; at < compressed.length; at += MAX_IDAT) {
            chunk(out, "IDAT", compressed.bytes, at, Math.min(MAX_IDAT, compressed.length - at));
        }
        chunk(out, "IEND", new byte[0], 0, 0);
        return out.toByteArray();
    }

    /**
     * One row of 0xAARRGGBB pixels as PNG samples, R, G, B(, A), after the filter-type byte (0: none;
     * the class comment says why no filter).
     */
    private static void samples(int[] row, byte[] filtered, boolean alpha) {
        int j = 1;
        for (int pixel : row) {
            filtered[j++] = (byte) (pixel >>> 16);
            filtered[j++] = (byte) (pixel >>> 8);
            filtered[j++] = (byte) pixel;
            if (alpha) {
                filtered[j++] = (byte) (pixel >>> 24);
            }
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int offset, int length) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        byte[] four = new byte[4];
        putInt(four, 0, length);
        out.writeBytes(four);
        out.writeBytes(typeBytes);
        out.write(data, offset, length);
        var crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data, offset, length);
        putInt(four, 0, (int) crc.getValue());
        out.writeBytes(four);
    }

    private static void putInt(byte[] to, int at, int value) {
        to[at] = (byte) (value >>> 24);
        to[at + 1] = (byte) (value >>> 16);
        to[at + 2] = (byte) (value >>> 8);
        to[at + 3] = (byte) value;
    }

    /** Rows as 0xAARRGGBB ints: copied straight out of an int raster, through getRGB for the other types. */
    private static final class RowReader {
        private final BufferedImage image;
        /** The pixel array when it holds 0x(AA)RRGGBB rows of exactly width ints from index 0, else null. */
        private final int[] packed;

        RowReader(BufferedImage image) {
            this.image = image;
            this.packed = packedPixels(image);
        }

        private static int[] packedPixels(BufferedImage image) {
            int type = image.getType();
            if (type != BufferedImage.TYPE_INT_RGB && type != BufferedImage.TYPE_INT_ARGB) {
                return null;
            }
            WritableRaster raster = image.getRaster();
            // A sub-image shares a larger array: its rows do not start at multiples of its width.
            if (raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                    || !(raster.getSampleModel() instanceof SinglePixelPackedSampleModel model)
                    || model.getScanlineStride() != image.getWidth()
                    || !(raster.getDataBuffer() instanceof DataBufferInt buffer) || buffer.getOffset() != 0) {
                return null;
            }
            return buffer.getData();
        }

        void read(int y, int[] row) {
            if (packed != null) {
                // Only read: an INT_RGB pixel's top byte is ignored by the RGB writer and opaque().
                System.arraycopy(packed, y * row.length, row, 0, row.length);
            } else {
                image.getRGB(0, y, row.length, 1, row, 0, row.length);
            }
        }

        /** Whether every pixel's alpha is 255; asked only of images whose colour model has alpha. */
        boolean opaque() {
            int[] row = new int[image.getWidth()];
            for (int y = 0; y < image.getHeight(); y++) {
                read(y, row);
                for (int p : row) {
                    if ((p >>> 24) != 0xff) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** A byte array the deflater writes into directly, doubled when full. */
    private static final class Growable {
        byte[] bytes;
        int length;

        Growable(int capacity) {
            bytes = new byte[capacity];
        }

        void deflateFrom(Deflater deflater) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            length += deflater.deflate(bytes, length, bytes.length - length, Deflater.NO_FLUSH);
        }
    }
}
