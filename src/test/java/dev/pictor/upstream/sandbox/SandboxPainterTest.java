package dev.pictor.upstream.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The painter works in rows and spans for speed; these pictures must stay exactly what the plain
 * per-pixel definition below draws, or the sandbox's "same request, same bytes" breaks across versions.
 */
class SandboxPainterTest {

    @Test
    void paintsExactlyWhatThePerPixelDefinitionDraws() {
        int[][] sizes = {{512, 512}, {1, 1}, {3, 7}, {300, 9}, {9, 300}, {640, 480}, {17, 5}};
        var random = new SplittableRandom(42);
        for (int[] size : sizes) {
            for (int n = 0; n < 12; n++) {
                long seed = random.nextLong();
                assertSamePixels(reference(seed, size[0], size[1], null), SandboxPainter.paint(seed, size[0], size[1], null), seed);
            }
        }
    }

    @Test
    void blendsSourcesOfAnyTypeAndSizeAsThePerPixelDefinitionDoes() {
        var random = new SplittableRandom(7);
        BufferedImage[] sources = {noise(random, 37, 91, BufferedImage.TYPE_INT_RGB), noise(random, 800, 600, BufferedImage.TYPE_INT_ARGB),
                noise(random, 33, 21, BufferedImage.TYPE_BYTE_GRAY), noise(random, 70, 40, BufferedImage.TYPE_3BYTE_BGR)};
        for (BufferedImage source : sources) {
            for (int[] size : new int[][] {{256, 256}, {5, 300}, {1024, 64}}) {
                long seed = random.nextLong();
                assertSamePixels(reference(seed, size[0], size[1], source), SandboxPainter.paint(seed, size[0], size[1], source), seed);
            }
        }
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, long seed) {
        int w = expected.getWidth();
        int h = expected.getHeight();
        assertThat(actual.getWidth()).isEqualTo(w);
        assertThat(actual.getHeight()).isEqualTo(h);
        assertThat(actual.getRGB(0, 0, w, h, null, 0, w)).as("seed %d, %dx%d", seed, w, h).isEqualTo(expected.getRGB(0, 0, w, h, null, 0, w));
    }

    private static BufferedImage noise(SplittableRandom random, int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    /** The sandbox's picture defined one pixel at a time: the painter's specification, kept slow and plain. */
    private static BufferedImage reference(long seed, int width, int height, BufferedImage source) {
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
        long diagonal = (long) width + height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = mix(from, to, (int) (((long) x + y) * 255 / diagonal));
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
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    private static int mix(int a, int b, int weight) {
        int inv = 255 - weight;
        int r = (((a >> 16) & 0xff) * inv + ((b >> 16) & 0xff) * weight) / 255;
        int g = (((a >> 8) & 0xff) * inv + ((b >> 8) & 0xff) * weight) / 255;
        int bl = ((a & 0xff) * inv + (b & 0xff) * weight) / 255;
        return (r << 16) | (g << 8) | bl;
    }
}
