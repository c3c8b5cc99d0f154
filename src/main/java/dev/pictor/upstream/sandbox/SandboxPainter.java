package dev.pictor.upstream.sandbox;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Draws the sandbox's pictures pixel by pixel with integer arithmetic only (no fonts, no
 * anti-aliasing), so the same seed gives the same pixels on every JVM and machine: a diagonal
 * gradient, a few discs and bands, and for edits the source image blended in.
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
        int[] row = new int[width];
        long diagonal = (long) width + height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int t = (int) (((long) x + y) * 255 / diagonal);
                int rgb = mix(from, to, t);
                for (int i = 0; i < discs; i++) {
                    long dx = x - cx[i];
                    long dy = y - cy[i];
                    if (dx * dx + dy * dy <= r2[i]) {
                        rgb = mix(rgb, color[i], 180);
                    }
                }
                if (((x + 2 * y) / bandPeriod) % 7 == 0) {
                    rgb = mix(rgb, 0xffffff, 40);
                }
                if (source != null) {
                    int sx = (int) ((long) x * source.getWidth() / width);
                    int sy = (int) ((long) y * source.getHeight() / height);
                    rgb = mix(rgb, source.getRGB(sx, sy) & 0xffffff, 150);
                }
                row[x] = rgb;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    /** Mixes b into a by weight/255 per channel. */
    private static int mix(int a, int b, int weight) {
        int inv = 255 - weight;
        int r = (((a >> 16) & 0xff) * inv + ((b >> 16) & 0xff) * weight) / 255;
        int g = (((a >> 8) & 0xff) * inv + ((b >> 8) & 0xff) * weight) / 255;
        int bl = ((a & 0xff) * inv + (b & 0xff) * weight) / 255;
        return (r << 16) | (g << 8) | bl;
    }
}
