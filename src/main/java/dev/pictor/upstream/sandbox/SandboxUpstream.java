package dev.pictor.upstream.sandbox;

import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.ImageProbe;
import dev.pictor.media.ImageWork;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.common.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in engine: deterministic synthetic images, so the whole flow runs without any vendor key
 * and tests (Pictor's and its users') get repeatable results.
 *
 * <p>Output depends only on model, prompt, seed, size, format and (for edits) the source pixels: the
 * same request gives the same bytes. Prompt directives let users exercise their failure handling:
 * <ul>
 *   <li>{@code [sandbox:fail]} fails with {@code upstream_error};</li>
 *   <li>{@code [sandbox:fail=content_moderated]} (any error code) fails with that code;</li>
 *   <li>{@code [sandbox:delay=5000]} adds that many milliseconds of latency;</li>
 *   <li>{@code [sandbox:hang]} never answers, so the task runs into its deadline ({@code timeout}).</li>
 * </ul>
 */
public final class SandboxUpstream implements Upstream {
    public static final String NAME = "sandbox";
    private static final Pattern DIRECTIVE = Pattern.compile("\\[sandbox:(fail|delay|hang)(?:=([a-z_0-9]+))?]");
    private static final int PROGRESS_STEPS = 10;

    private final Duration latency;
    private final int concurrency;
    private final long maxSourcePixels;
    /** Decoding, painting and encoding run here, not on the task's virtual thread ({@link ImageWork} says why). */
    private final ImageWork imageWork;

    public SandboxUpstream(SandboxSettings settings, long maxSourcePixels, ImageWork imageWork) {
        this.imageWork = imageWork;
        this.latency = settings.latency();
        this.concurrency = settings.concurrency();
        this.maxSourcePixels = maxSourcePixels;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public Outcome start(GenerationJob job) throws UpstreamException, InterruptedException {
        return new Outcome.Done(generate(job));
    }

    private List<GeneratedImage> generate(GenerationJob job) throws UpstreamException, InterruptedException {
        GenerationRequest request = job.request();
        Duration delay = latency;
        Matcher m = DIRECTIVE.matcher(request.prompt());
        while (m.find()) {
            switch (m.group(1)) {
                case "hang" -> {
                    job.progress().report(1);
                    Thread.sleep(Long.MAX_VALUE);
                }
                case "delay" -> delay = delay.plusMillis(parseMillis(m.group(2)));
                case "fail" -> throw failure(m.group(2));
                default -> throw new IllegalStateException();
            }
        }
        simulateLatency(delay, job.progress());

        List<BufferedImage> sources = imageWork.run(() -> decodeSources(job.sources()));
        Dimensions size = job.outputSize();
        List<GeneratedImage> images = new ArrayList<>(request.imageCount());
        for (int i = 0; i < request.imageCount(); i++) {
            BufferedImage source = sources.isEmpty() ? null : sources.get(i % sources.size());
            long seed = seedFor(request, i, size);
            // One job per image, so the images of one task do not keep other tasks' off the pool for long.
            byte[] bytes = imageWork.run(() -> ImageEncoder.encode(SandboxPainter.paint(seed, size.width(), size.height(), source), request.format()));
            images.add(new GeneratedImage(bytes, request.format().contentType(), size.width(), size.height()));
        }
        return images;
    }

    private static void simulateLatency(Duration delay, GenerationJob.ProgressSink progress) throws InterruptedException {
        progress.report(1); // started: lets clients tell "running" from "claimed but not begun"
        long stepMillis = delay.toMillis() / PROGRESS_STEPS;
        for (int step = 1; step <= PROGRESS_STEPS; step++) {
            if (stepMillis > 0) {
                Thread.sleep(stepMillis);
            }
            progress.report(step * 90 / PROGRESS_STEPS);
        }
    }

    private List<BufferedImage> decodeSources(List<SourceImage> sources) throws UpstreamException {
        List<BufferedImage> decoded = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            try {
                decoded.add(ImageProbe.decode(sources.get(i).bytes(), maxSourcePixels));
            } catch (ImageProbe.OutOfMemory e) {
                // Retryable: the memory may be free on the next attempt or on another node.
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "image_urls[" + i + "]: " + e.getMessage(), true);
            } catch (IOException e) {
                throw new UpstreamException(ErrorCode.SOURCE_FETCH_FAILED, "image_urls[" + i + "] could not be decoded: " + e.getMessage(), false);
            }
        }
        return decoded;
    }

    private static UpstreamException failure(String code) {
        ErrorCode errorCode = ErrorCode.UPSTREAM_ERROR;
        if (code != null) {
            try {
                errorCode = ErrorCode.fromWire(code);
            } catch (IllegalArgumentException ignored) {
                // an unknown code in the directive still fails, as upstream_error
            }
        }
        return new UpstreamException(errorCode, "sandbox failure requested by the prompt (" + errorCode.wire() + ")", false);
    }

    private static long parseMillis(String value) {
        try {
            return value == null ? 0 : Math.min(Long.parseLong(value), 3_600_000L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A 64-bit seed from everything that should change the picture. */
    private static long seedFor(GenerationRequest request, int index, Dimensions size) {
        String key = request.model() + '\n' + request.prompt() + '\n' + request.seed() + '\n' + size + '\n' + index;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
