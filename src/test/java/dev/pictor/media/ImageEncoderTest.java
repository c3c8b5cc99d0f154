package dev.pictor.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.catalog.ImageFormat;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {

    @Test
    void losslessWebpRoundTripsEveryPixel() throws Exception {
        for (boolean alpha : new boolean[] {false, true}) {
            var random = new SplittableRandom(alpha ? 1 : 2);
            BufferedImage image = new BufferedImage(37, 23, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    int argb = random.nextInt();
                    image.setRGB(x, y, alpha ? argb : argb | 0xff000000);
                }
            }
            byte[] webp = ImageEncoder.encode(image, ImageFormat.WEBP);
            assertThat(ImageProbe.sniff(webp)).isEqualTo("image/webp");
            BufferedImage decoded = ImageProbe.decode(webp, 10_000);
            assertThat(decoded.getWidth()).isEqualTo(37);
            assertThat(decoded.getHeight()).isEqualTo(23);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    assertThat(decoded.getRGB(x, y)).as("pixel %d,%d alpha=%s", x, y, alpha).isEqualTo(image.getRGB(x, y));
                }
            }
        }
    }

    @Test
    void pngAndJpegAreRecognisedFromTheirBytes() {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        assertThat(ImageProbe.sniff(ImageEncoder.encode(image, ImageFormat.PNG))).isEqualTo("image/png");
        assertThat(ImageProbe.sniff(ImageEncoder.encode(image, ImageFormat.JPEG))).isEqualTo("image/jpeg");
        assertThat(ImageProbe.sniff("GIF89a......".getBytes())).isEqualTo("image/gif");
        assertThat(ImageProbe.sniff("<html>".getBytes())).isNull();
    }
}
