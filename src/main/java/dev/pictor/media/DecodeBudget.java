package dev.pictor.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's budget of decoded pixels: every decode of a source or of an upstream output (and the
 * sandbox's painted output) holds a {@link Lease} on its pixels first and gives it back when the
 * pixels are garbage. Checking each image's pixels at the door bounds one image; only a node-wide
 * count bounds sixteen sources of one request, or sixty tasks decoding at once, so that a node's
 * image memory has a ceiling: about 4 bytes per leased pixel (8-bit channels; twice that for
 * 16-bit PNGs).
 *
 * <p>Waiting is fair (first come, first served, so a large image is not starved by small ones) and
 * bounded by the task's deadline. A need larger than the whole budget is refused at once: it could
 * never be met. The semaphore counts kilopixels, rounded up, so int permits reach 2 terapixels.
 */
public final class DecodeBudget {
    private static final long PIXELS_PER_PERMIT = 1_000;

    /** Turns image bytes into pixels. Injectable so a test can make decoding run out of memory. */
    @FunctionalInterface
    public interface Decoder {
        /** Decodes the first frame; null when the reader produced no image. */
        BufferedImage decode(byte[] bytes, String contentType) throws IOException;
    }

    /** The budget cannot be had: too large ever to fit, or not free before the deadline. */
    public static final class Refused extends Exception {
        private final boolean tooLarge;

        Refused(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        /** True when the need is larger than the whole budget (waiting cannot help); false for a deadline. */
        public boolean tooLarge() {
            return tooLarge;
        }
    }

    private final long capacityPixels;
    private final String setting;
    private final Decoder decoder;
    private final Clock clock;
    private final Semaphore permits;
    private final AtomicLong inUse = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Map<String, Long> waiting = new ConcurrentHashMap<>();

    /**
     * @param megapixels the budget
     * @param setting    how the operator changes it, named in refusals ({@code PICTOR_DECODE_MEGAPIXELS=128})
     */
    public DecodeBudget(long megapixels, String setting, Decoder decoder, Clock clock) {
        if (megapixels < 1 || megapixels > 2_000_000) {
            throw new IllegalArgumentException("the decode budget must be from 1 to 2000000 megapixels, got " + megapixels);
        }
        this.capacityPixels = megapixels * 1_000_000;
        this.setting = setting;
        this.decoder = decoder;
        this.clock = clock;
        this.permits = new Semaphore(Math.toIntExact(capacityPixels / PIXELS_PER_PERMIT), true);
    }

    /**
     * The default budget: half of the JVM's largest heap at 4 bytes per pixel, so decoded images
     * never take more than half the heap (-Xmx1g gives 134 megapixels). At least 1.
     */
    public static long defaultMegapixels(long maxHeapBytes) {
        return Math.max(1, maxHeapBytes / 2 / 4 / 1_000_000);
    }

    /** Decodes with ImageIO (in memory, see {@link ImageProbe}). */
    public static BufferedImage imageIo(byte[] bytes, String contentType) throws IOException {
        return ImageProbe.read(bytes, contentType);
    }

    public long capacityPixels() {
        return capacityPixels;
    }

    public long inUsePixels() {
        return inUse.get();
    }

    /** The most pixels leased at one moment since the node started: what the budget had to hold. */
    public long peakPixels() {
        return peak.get();
    }

    /** The pixels {@code taskId} waits for right now, or null when it is not waiting. */
    public Long waitingFor(String taskId) {
        return waiting.get(taskId);
    }

    /**
     * Leases {@code pixels}, waiting until {@code deadline} at most.
     *
     * @param what names the image(s) in the refusal ({@code "image_urls[3] (7000x7000)"}); never a URL
     */
    public Lease reserve(String taskId, long pixels, Instant deadline, String what) throws Refused, InterruptedException {
        long need = Math.max(pixels, 1);
        if (need > capacityPixels) {
            throw new Refused(what + " needs " + megapixels(need) + " megapixels decoded, more than this node decodes at once ("
                    + setting + ")", true);
        }
        int count = Math.toIntExact((need + PIXELS_PER_PERMIT - 1) / PIXELS_PER_PERMIT);
        // The timed form even for "no wait": the untimed tryAcquire barges past waiters, unfair to a large image.
        if (!permits.tryAcquire(count, 0, TimeUnit.NANOSECONDS)) {
            Duration wait = Duration.between(clock.instant(), deadline);
            waiting.put(taskId, need);
            try {
                if (wait.isNegative() || !permits.tryAcquire(count, wait.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new Refused("waited until the task's deadline for " + megapixels(need) + " megapixels of decode memory for "
                            + what + "; other tasks held this node's budget (" + setting + ")", false);
                }
            } finally {
                waiting.remove(taskId);
            }
        }
        long now = inUse.addAndGet(need);
        peak.accumulateAndGet(now, Math::max);
        return new Lease(need, count);
    }

    /**
     * Decodes {@code bytes} under {@code lease}, which must cover the image's pixels. An
     * OutOfMemoryError, thrown or wrapped by a reader, becomes {@link ImageProbe.OutOfMemory}: a fault of
     * the node's memory, never reported as an image that "could not be decoded".
     */
    public BufferedImage decode(Lease lease, byte[] bytes) throws IOException {
        String type = ImageProbe.sniff(bytes);
        if (type == null) {
            throw new IOException("not a PNG, JPEG, WebP or GIF image");
        }
        int[] size = ImageProbe.dimensions(bytes, type);
        long pixels = (long) size[0] * size[1];
        if (pixels > lease.pixels) {
            throw new IllegalArgumentException("a lease of " + lease.pixels + " pixels does not cover a " + size[0] + "x" + size[1] + " image");
        }
        BufferedImage image;
        try {
            image = decoder.decode(bytes, type);
        } catch (OutOfMemoryError e) {
            throw new ImageProbe.OutOfMemory(size[0], size[1]);
        } catch (IOException | RuntimeException e) {
            if (ImageProbe.causedByOutOfMemory(e)) {
                throw new ImageProbe.OutOfMemory(size[0], size[1]);
            }
            throw e;
        }
        if (image == null) {
            throw new IOException("the " + type.substring("image/".length()) + " decoder returned no image for a "
                    + size[0] + "x" + size[1] + " image");
        }
        return image;
    }

    private static String megapixels(long pixels) {
        return String.format(java.util.Locale.ROOT, "%.1f", pixels / 1e6);
    }

    /** Pixels held until closed; closing twice gives them back once. */
    public final class Lease implements AutoCloseable {
        private final long pixels;
        private final int count;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Lease(long pixels, int count) {
            this.pixels = pixels;
            this.count = count;
        }

        public long pixels() {
            return pixels;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                inUse.addAndGet(-pixels);
                permits.release(count);
            }
        }
    }
}
