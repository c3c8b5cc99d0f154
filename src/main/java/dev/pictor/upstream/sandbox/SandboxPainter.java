package dev.pictor.upstream.sandbox;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * Draws the sandbox's pictures with integer arithmetic only (no fonts, no anti-aliasing), so the
 * same seed gives the same pixels on every JVM and machine: a diagonal gradient, a few discs and
 * bands, and for edits the source image blended in. It runs for every sandbox task, so it works a
 * row at a time (each disc as one span per row) straight into the image's pixel array.
 */
final class SandboxPainter {
    private SandboxPainter() {
    }

    static BufferedImage paint(long seed, int width, int height, BufferedImage source) {
        var random = new SplittableRandom(seed);
        int from = random.nextInt(0x1000000);
        int to = random.nextInt(0x1000000);
        int discs = 3 + random.nextInt(4);
        int[] cx = new int[discs];
        int[] cy = new int[discs];
        long[] r2 = new long[discs];
        int[] color = new int[discs];
        for (int i = 0; i < discs; i++) {
            cx[i] = random.nextInt(width);
            cy[i] = random.nextInt(height);
            long r = Math.max(4, Math.min(width, height) / (3 + random.nextInt(5)));
            r2[i] = r * r;
            color[i] = random.nextInt(0x1000000);
        }
        int bandPeriod = Math.max(8, Math.min(width, height) / (4 + random.nextInt(8)));

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        // TYPE_INT_RGB keeps each pixel as one 0xRRGGBB int, so writing the array is what setRGB would
        // store, without its per-pixel colour-model round trip (a third of a painting's time). Each pixel
        // still gets the gradient, the discs in order, the band and the source, in that order.
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        // The gradient depends on x + y only and the band on x + 2y only: worked out once per value,
        // not per pixel (each was a division per pixel).
        long diagonal = (long) width + height;
        int[] gradient = new int[width + height - 1];
        for (int sum = 0; sum < gradient.length; sum++) {
            gradient[sum] = mix(from, to, (int) ((long) sum * 255 / diagonal));
        }
        boolean[] band = new boolean[width + 2 * height - 2];
        for (int sum = 0; sum < band.length; sum++) {
            band[sum] = (sum / bandPeriod) % 7 == 0;
        }
        int[] sourceRow = source == null ? null : new int[source.getWidth()];
        int[] sourceX = source == null ? null : new int[width];
        for (int x = 0; source != null && x < width; x++) {
            sourceX[x] = (int) ((long) x * source.getWidth() / width);
        }
        for (int y = 0; y < height; y++) {
            int base = y * width;
            System.arraycopy(gradient, y, pixels, base, width);
            for (int i = 0; i < discs; i++) {
                // The disc covers, on this row, the x with (x - cx)^2 <= r^2 - (y - cy)^2: one span.
                long dy = y - cy[i];
                long rest = r2[i] - dy * dy;
                if (rest < 0) {
                    continue;
                }
                long half = halfWidth(rest);
                int first = (int) Math.max(0, cx[i] - half);
                int last = (int) Math.min(width - 1, cx[i] + half);
                for (int x = first; x <= last; x++) {
                    pixels[base + x] = mix(pixels[base + x], color[i], 180);
                }
            }
            for (int x = 0; x < width; x++) {
                if (band[x + 2 * y]) {
                    pixels[base + x] = mix(pixels[base + x], 0xffffff, 40);
                }
            }
            if (source != null) {
                int sy = (int) ((long) y * source.getHeight() / height);
                source.getRGB(0, sy, source.getWidth(), 1, sourceRow, 0, source.getWidth());
                for (int x = 0; x < width; x++) {
                    pixels[base + x] = mix(pixels[base + x], sourceRow[sourceX[x]] & 0xffffff, 150);
                }
            }
        }
        return image;
    }

    /** The largest h with h * h <= rest (rest >= 0), exactly: the double square root is only the first guess. */
    private static long halfWidth(long rest) {
        long h = (long) Math.sqrt((double) rest);
        while (h * h > rest) {
            h--;
        }
        while ((h + 1) * (h + 1) <= rest) {
            h++;
        }
        return h;
    }

    /**
     * Mixes b into a by weight/255 per channel, each channel rounded down: (a * (255 - weight) + b *
     * weight) / 255. Red and blue are worked out together in the two 16-bit halves of one int (each
     * sum is at most 255 * 255, so neither spills into the other), and the division by 255 is
     * (x + 1 + (x >> 8)) >> 8, which equals x / 255 for every x below 65,535 (the sums here are at most
     * 65,025). It runs for most pixels of every picture (the discs); the per-channel form was about
     * 15 % of a node's CPU on the dispatch path.
     */
    private static int mix(int a, int b, int weight) {
        int inv = 255 - weight;
        int redBlue = (a & 0xff00ff) * inv + (b & 0xff00ff) * weight;
        redBlue = ((redBlue + 0x10001 + ((redBlue >>> 8) & 0xff00ff)) >>> 8) & 0xff00ff;
        int green = ((a >>> 8) & 0xff) * inv + ((b >>> 8) & 0xff) * weight;
        green = (green + 1 + (green >> 8)) >> 8;
        return redBlue | (green << 8);
    }
}
