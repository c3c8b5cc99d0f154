package dev.pictor.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.catalog.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {
    private static final int[] HANDLED = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR,
            BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR};

    /** What a PNG file is made of, read back independently of the encoder: chunk types in order, CRCs checked. */
    private record Chunk(String type, byte[] data) {
    }

    private static List<Chunk> chunks(byte[] png) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(png));
        byte[] signature = in.readNBytes(8);
        assertThat(signature).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        var chunks = new ArrayList<Chunk>();
        while (in.available() > 0) {
            int length = in.readInt();
            byte[] type = in.readNBytes(4);
            byte[] data = in.readNBytes(length);
            var crc = new CRC32();
            crc.update(type);
            crc.update(data);
            assertThat(in.readInt()).as("CRC of %s", new String(type, StandardCharsets.US_ASCII)).isEqualTo((int) crc.getValue());
            chunks.add(new Chunk(new String(type, StandardCharsets.US_ASCII), data));
        }
        return chunks;
    }

    private static BufferedImage randomImage(int type, int width, int height, long seed, boolean translucent) {
        var random = new SplittableRandom(seed);
        var image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb = random.nextInt();
                image.setRGB(x, y, translucent ? argb : argb | 0xff000000);
            }
        }
        return image;
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(expected.getRGB(x, y));
            }
        }
    }

    @Test
    void everyHandledTypeRoundTripsEveryPixelThroughImageIo() throws Exception {
        for (int type : HANDLED) {
            for (int[] size : new int[][] {{1, 1}, {37, 23}, {5, 64}}) {
                boolean translucent = new BufferedImage(1, 1, type).getColorModel().hasAlpha();
                BufferedImage image = randomImage(type, size[0], size[1], type * 31L + size[0], translucent);
                byte[] png = PngEncoder.encode(image);
                assertSamePixels(image, ImageIO.read(new ByteArrayInputStream(png)));
            }
        }
    }

    @Test
    void writesRgbUnlessSomePixelIsTranslucent() throws Exception {
        BufferedImage opaque = randomImage(BufferedImage.TYPE_INT_ARGB, 9, 9, 1, false);
        BufferedImage translucent = randomImage(BufferedImage.TYPE_INT_ARGB, 9, 9, 1, false);
        translucent.setRGB(8, 8, 0x80123456);
        assertThat(colourType(PngEncoder.encode(opaque))).isEqualTo(2);
        assertThat(colourType(PngEncoder.encode(translucent))).isEqualTo(6);
        assertThat(colourType(PngEncoder.encode(randomImage(BufferedImage.TYPE_INT_RGB, 9, 9, 1, false)))).isEqualTo(2);
        assertSamePixels(translucent, ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(translucent))));
    }

    private static int colourType(byte[] png) throws IOException {
        Chunk header = chunks(png).getFirst();
        assertThat(header.type()).isEqualTo("IHDR");
        assertThat(header.data()[8]).as("bit depth").isEqualTo((byte) 8);
        return header.data()[9];
    }

    @Test
    void theFileIsHeaderDataEndWithValidCrcsAndLargeDataIsSplitIntoSeveralIdatChunks() throws Exception {
        // Random translucent pixels do not compress: 600 x 600 x 4 bytes is more than one 1 MiB IDAT chunk.
        BufferedImage noise = randomImage(BufferedImage.TYPE_INT_ARGB, 600, 600, 7, true);
        byte[] png = PngEncoder.encode(noise);
        List<String> types = chunks(png).stream().map(Chunk::type).toList();
        assertThat(types.getFirst()).isEqualTo("IHDR");
        assertThat(types.getLast()).isEqualTo("IEND");
        assertThat(types.subList(1, types.size() - 1)).hasSizeGreaterThan(1).containsOnly("IDAT");
        assertSamePixels(noise, ImageIO.read(new ByteArrayInputStream(png)));
    }

    @Test
    void aSubImageIsReadThroughItsOwnRowsNotTheArrayItShares() throws Exception {
        BufferedImage whole = randomImage(BufferedImage.TYPE_INT_RGB, 40, 30, 3, false);
        BufferedImage part = whole.getSubimage(7, 5, 20, 11);
        assertSamePixels(part, ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(part))));
    }

    @Test
    void theSamePixelsGiveTheSameBytes() {
        BufferedImage a = randomImage(BufferedImage.TYPE_INT_RGB, 64, 48, 11, false);
        BufferedImage b = randomImage(BufferedImage.TYPE_INT_RGB, 64, 48, 11, false);
        assertThat(PngEncoder.encode(a)).isEqualTo(PngEncoder.encode(b));
    }

    @Test
    void otherPixelFormsKeepImageIosWriterAndTheirOwnForm() throws Exception {
        var grey = new BufferedImage(16, 16, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSample(3, 4, 0, 40_000);
        assertThat(PngEncoder.handles(grey)).isFalse();
        assertThatThrownBy(() -> PngEncoder.encode(grey)).isInstanceOf(IllegalArgumentException.class);
        byte[] png = ImageEncoder.encode(grey, ImageFormat.PNG);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        // Still 16-bit grey: converting it to 8-bit RGB would have lost precision.
        assertThat(decoded.getRaster().getSample(3, 4, 0)).isEqualTo(40_000);
        assertThat(PngEncoder.handles(new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB_PRE))).isFalse();
    }
}
