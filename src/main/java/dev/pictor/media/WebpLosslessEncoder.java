package dev.pictor.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;

/**
 * Writes lossless WebP (VP8L). No Java library writes WebP, so this is the smallest valid encoder:
 * no transforms, no colour cache, no back-references, and a fixed 8-bit prefix code per channel, so
 * each pixel costs 24 bits (32 with alpha). It trades file size for simplicity; the output is a
 * standard file any WebP decoder reads.
 */
final class WebpLosslessEncoder {
    private static final int MAX_DIMENSION = 16_384;
    /** Order in which code-length code lengths are written (VP8L spec, kCodeLengthCodeOrder). */
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    private WebpLosslessEncoder() {
    }

    static byte[] encode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w > MAX_DIMENSION || h > MAX_DIMENSION) {
            throw new IllegalArgumentException("WebP images are at most " + MAX_DIMENSION + " pixels a side");
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean alpha = false;
        for (int p : argb) {
            if ((p >>> 24) != 0xff) {
                alpha = true;
                break;
            }
        }
        var bits = new BitWriter(w * h * (alpha ? 4 : 3) + 128);
        bits.write(w - 1, 14);
        bits.write(h - 1, 14);
        bits.write(alpha ? 1 : 0, 1);
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // no meta prefix codes
        writeFlatCode(bits, 256 + 24); // green + length prefixes
        writeFlatCode(bits, 256); // red
        writeFlatCode(bits, 256); // blue
        if (alpha) {
            writeFlatCode(bits, 256);
        } else {
            writeSingleSymbol(bits, 255);
        }
        writeSingleSymbol(bits, 0); // distance: never used
        for (int p : argb) {
            bits.writeCode((p >>> 8) & 0xff);
            bits.writeCode((p >>> 16) & 0xff);
            bits.writeCode(p & 0xff);
            if (alpha) {
                bits.writeCode(p >>> 24);
            }
        }
        byte[] payload = bits.toByteArray();
        int chunkSize = 1 + payload.length;
        int padded = chunkSize + (chunkSize & 1);
        var out = new ByteArrayOutputStream(20 + padded);
        out.writeBytes(new byte[] {'R', 'I', 'F', 'F'});
        writeLe32(out, 4 + 8 + padded);
        out.writeBytes(new byte[] {'W', 'E', 'B', 'P', 'V', 'P', '8', 'L'});
        writeLe32(out, chunkSize);
        out.write(0x2f);
        out.writeBytes(payload);
        if ((chunkSize & 1) == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * A "normal" prefix code in which the first 256 symbols have length 8 and the rest length 0: the
     * canonical code of symbol s is then s itself. The code lengths are sent with a code-length code
     * that has just two symbols, 0 and 8, of one bit each.
     */
    private static void writeFlatCode(BitWriter bits, int alphabetSize) {
        bits.write(0, 1); // normal code
        int count = 12; // up to and including symbol 8, which is 12th in CODE_LENGTH_ORDER
        bits.write(count - 4, 4);
        for (int i = 0; i < count; i++) {
            int symbol = CODE_LENGTH_ORDER[i];
            bits.write(symbol == 0 || symbol == 8 ? 1 : 0, 3);
        }
        bits.write(0, 1); // max_symbol = alphabet size
        for (int s = 0; s < alphabetSize; s++) {
            bits.write(s < 256 ? 1 : 0, 1); // code '1' means length 8, '0' means length 0
        }
    }

    /** A "simple" prefix code with one symbol, which takes no bits per use. */
    private static void writeSingleSymbol(BitWriter bits, int symbol) {
        bits.write(1, 1); // simple code
        bits.write(0, 1); // one symbol
        if (symbol < 2) {
            bits.write(0, 1);
            bits.write(symbol, 1);
        } else {
            bits.write(1, 1);
            bits.write(symbol, 8);
        }
    }

    private static void writeLe32(ByteArrayOutputStream out, int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }

    /** Packs bits least-significant first, as VP8L reads them. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private long buffer;
        private int used;

        BitWriter(int expectedBytes) {
            out = new ByteArrayOutputStream(expectedBytes);
        }

        void write(long value, int count) {
            buffer |= (value & ((1L << count) - 1)) << used;
            used += count;
            while (used >= 8) {
                out.write((int) (buffer & 0xff));
                buffer >>>= 8;
                used -= 8;
            }
        }

        /** A prefix code is read first bit first from its most significant end; emit it reversed. */
        void writeCode(int code8) {
            write(Integer.reverse(code8) >>> 24, 8);
        }

        byte[] toByteArray() {
            if (used > 0) {
                out.write((int) (buffer & 0xff));
                buffer = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }
}
