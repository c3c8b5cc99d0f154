package dev.pictor.upstream;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.ErrorCode;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.ImageProbe;
import dev.pictor.media.SourceImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * One generation: the validated request, the upstream model id of the route serving it (null for the
 * sandbox), its source images already fetched and checked (in {@code image_urls} order; empty when
 * polling), where to report progress, the task's deadline, and the node's {@link DecodeBudget}, which
 * every decode of a source or an output leases from first.
 */
public record GenerationJob(String taskId, GenerationRequest request, String upstreamModel, List<SourceImage> sources,
                            ProgressSink progress, Instant deadline, DecodeBudget decodes) {

    /** The pixel size the output should have: fixed by the request, or the first source's aspect ratio. */
    public Dimensions outputSize() {
        return request.size().resolve(sources.isEmpty()
                ? new Dimensions(1, 1) : new Dimensions(sources.getFirst().width(), sources.getFirst().height()));
    }

    /**
     * Leases {@code pixels} of the node's decode budget, waiting until the task's deadline at most: a
     * need larger than the whole budget fails {@code invalid_input} at once, a budget still taken at
     * the deadline fails {@code timeout}, both saying so.
     */
    public DecodeBudget.Lease reserve(long pixels, String what) throws UpstreamException, InterruptedException {
        try {
            return decodes.reserve(taskId, pixels, deadline, what);
        } catch (DecodeBudget.Refused e) {
            throw new UpstreamException(e.tooLarge() ? ErrorCode.INVALID_INPUT : ErrorCode.TIMEOUT, e.getMessage(), false);
        }
    }

    /**
     * Decodes under {@code lease}. Running out of memory fails retryable {@code internal_error} naming
     * the cause (the memory may be free on the next attempt or another node); any other failure is the
     * caller's to word, as an IOException.
     */
    public BufferedImage decode(DecodeBudget.Lease lease, byte[] bytes, String what) throws UpstreamException, IOException {
        try {
            return decodes.decode(lease, bytes);
        } catch (ImageProbe.OutOfMemory e) {
            throw new UpstreamException(ErrorCode.INTERNAL_ERROR, what + ": " + e.getMessage()
                    + " (lower PICTOR_DECODE_MEGAPIXELS or give the JVM more heap)", true);
        }
    }

    /**
     * {@code image} in the {@code wanted} format: itself when it is in it already, else decoded and
     * encoded again under a lease on twice its pixels (the decoded image and the encoder's copy).
     */
    public GeneratedImage inFormat(GeneratedImage image, ImageFormat wanted, String upstream)
            throws UpstreamException, InterruptedException {
        if (image.contentType().equals(wanted.contentType())) {
            return image;
        }
        String what = upstream + "'s " + image.width() + "x" + image.height() + " image";
        try (DecodeBudget.Lease lease = reserve(2L * image.width() * image.height(), what)) {
            byte[] bytes = ImageEncoder.encode(decode(lease, image.bytes(), what), wanted);
            return new GeneratedImage(bytes, wanted.contentType(), image.width(), image.height());
        } catch (IOException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, upstream + "'s image could not be converted to " + wanted.extension(), false);
        }
    }

    /** Receives progress in percent (0-100); cheap to call, coalesced by the caller. */
    @FunctionalInterface
    public interface ProgressSink {
        void report(int percent);
    }
}
