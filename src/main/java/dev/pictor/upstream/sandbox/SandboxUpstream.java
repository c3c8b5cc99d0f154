package dev.pictor.upstream.sandbox;

import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.ImageEncoder;
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
    /** Decoding, painting and encoding run here, not on the task's virtual thread ({@link ImageWork} says why). */
    private final ImageWork imageWork;

    public SandboxUpstream(SandboxSettings settings, ImageWork imageWork) {
        this.imageWork = imageWork;
        this.latency = settings.latency();
        this.concurrency = settings.concurrency();
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

        return paint(job);
    }

    /**
     * Decodes one source at a time and paints the outputs that use it (output i uses source i mod n),
     * so a task holds at most one source and one output in memory, each under a lease on the node's
     * decode budget: sixteen large sources take sixteen turns, not sixteen times the memory.
     */
    private List<GeneratedImage> paint(GenerationJob job) throws UpstreamException, InterruptedException {
        GenerationRequest request = job.request();
        List<SourceImage> sources = job.sources();
        Dimensions size = job.outputSize();
        int count = request.imageCount();
        long outputPixels = 2L * size.width() * size.height(); // the painted image and the encoder's copy
        GeneratedImage[] images = new GeneratedImage[count];
        if (sources.isEmpty()) {
            for (int i = 0; i < count; i++) {
                try (var lease = job.reserve(outputPixels, "the " + size.width() + "x" + size.height() + " output")) {
                    int index = i;
                    images[i] = imageWork.run(() -> paintOne(request, index, size, null));
                }
            }
            return List.of(images);
        }
        int n = sources.size();
        for (int s = 0; s < n; s++) {
            SourceImage source = sources.get(s);
            String what = "image_urls[" + s + "] (" + source.width() + "x" + source.height() + ")";
            long pixels = (long) source.width() * source.height() + (s < count ? outputPixels : 0);
            try (var lease = job.reserve(pixels, what)) {
                int sourceIndex = s;
                BufferedImage decoded = imageWork.run(() -> {
                    try {
                        return job.decode(lease, source.bytes(), what);
                    } catch (IOException e) {
                        throw new UpstreamException(ErrorCode.SOURCE_FETCH_FAILED,
                                "image_urls[" + sourceIndex + "] could not be decoded: " + e.getMessage(), false);
                    }
                });
                for (int i = s; i < count; i += n) {
                    // One job per image, so the images of one task do not keep other tasks' off the pool for long.
                    int index = i;
                    images[i] = imageWork.run(() -> paintOne(request, index, size, decoded));
                }
            }
        }
        return List.of(images);
    }

    private static GeneratedImage paintOne(GenerationRequest request, int index, Dimensions size, BufferedImage source) {
        BufferedImage image = SandboxPainter.paint(seedFor(request, index, size), size.width(), size.height(), source);
        byte[] bytes = ImageEncoder.encode(image, request.format());
        return new GeneratedImage(bytes, request.format().contentType(), size.width(), size.height());
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
