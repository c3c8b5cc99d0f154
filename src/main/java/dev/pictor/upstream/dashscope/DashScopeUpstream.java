package dev.pictor.upstream.dashscope;

import dev.pictor.common.Json;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.BaseUrls;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamContext;
import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.UpstreamDefinition.Setting;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import dev.pictor.common.ErrorCode;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Alibaba DashScope (Model Studio) for Wan 2.7 and Z-Image. These models take a chat-style
 * {@code input.messages[0].content} array (the text and every reference image in one list) and answer
 * in {@code output.choices[].message.content[].image}; the older {@code text2image}/{@code image2image}
 * image-synthesis endpoints serve only wan2.5 and before.
 *
 * <ul>
 *   <li>Wan 2.7: asynchronous, {@code POST /api/v1/services/aigc/image-generation/generation} with
 *       {@code X-DashScope-Async: enable} answers a {@code task_id}, polled at {@code GET /api/v1/tasks/<id>};
 *       cancel is {@code POST /api/v1/tasks/<id>/cancel} (only while the job is still queued).</li>
 *   <li>Z-Image ({@code z-image*} model ids): synchronous only, on
 *       {@code multimodal-generation/generation}, text only.</li>
 * </ul>
 *
 * Sizes are {@code W*H}. Wan 2.7 refuses fewer than 768*768 pixels, while the APIDot contract offers a
 * {@code 512x512} preset and custom sizes from 512*512: such a request is generated at the smallest
 * size Wan accepts, with the same aspect ratio, and scaled down here to the size the client asked for.
 */
public final class DashScopeUpstream implements Upstream {
    public static final String NAME = "dashscope";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "Alibaba DashScope",
            List.of(Setting.required("PICTOR_DASHSCOPE_API_KEY"), Setting.optional("PICTOR_DASHSCOPE_BASE_URL", "https://dashscope-intl.aliyuncs.com")),
            Map.of("wan-2.7-image", "wan2.7-image", "wan-2.7-image-pro", "wan2.7-image-pro", "z-image", "z-image-turbo"),
            (config, context) -> new DashScopeUpstream(config.get("PICTOR_DASHSCOPE_API_KEY"), config.get("PICTOR_DASHSCOPE_BASE_URL"), context));
    /** DashScope's SDKs include the version in the base URL; Pictor accepts either form. */
    static final String VERSION_PATH = "/api/v1";
    /** Wan 2.7's smallest output, in pixels (768*768). */
    static final long WAN_MIN_PIXELS = 768L * 768;

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public DashScopeUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
        this.baseUrl = BaseUrls.root(baseUrl, VERSION_PATH) + VERSION_PATH;
        this.http = context.http();
        this.pollInterval = context.pollInterval();
        this.concurrency = context.concurrency();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    static boolean isSynchronous(String upstreamModel) {
        return upstreamModel != null && upstreamModel.startsWith("z-image");
    }

    @Override
    public Outcome start(GenerationJob job) throws UpstreamException, InterruptedException {
        GenerationRequest request = job.request();
        boolean sync = isSynchronous(job.upstreamModel());
        if (sync && !job.sources().isEmpty()) {
            throw new UpstreamException(ErrorCode.INVALID_INPUT, job.upstreamModel() + " takes no image_urls", false);
        }
        Dimensions wanted = job.outputSize();
        Dimensions asked = sync ? wanted : atLeastWanMinimum(wanted);
        ObjectNode body = Json.object().put("model", job.upstreamModel());
        ArrayNode content = body.putObject("input").putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("text", request.prompt());
        for (SourceImage source : job.sources()) {
            content.addObject().put("image", "data:" + source.contentType() + ";base64," + Base64.getEncoder().encodeToString(source.bytes()));
        }
        ObjectNode parameters = body.putObject("parameters")
                .put("size", asked.width() + "*" + asked.height())
                .put("n", request.imageCount())
                .put("watermark", false);
        if (request.seed() != null) {
            parameters.put("seed", request.seed() % 2_147_483_648L);
        }
        var call = HttpRequest.newBuilder(URI.create(baseUrl + "/services/aigc/"
                        + (sync ? "multimodal-generation" : "image-generation") + "/generation"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (!sync) {
            call.header("X-DashScope-Async", "enable");
        }
        JsonNode answer = checked(http.send(call));
        if (sync) {
            return new Outcome.Done(images(job, answer.path("output"), wanted));
        }
        String taskId = answer.path("output").path("task_id").asString("");
        if (taskId.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope accepted the job without a task_id", true);
        }
        return new Outcome.Pending(taskId, 5, pollInterval);
    }

    /** The smallest size Wan accepts at the same aspect ratio, or {@code size} when it is large enough. */
    static Dimensions atLeastWanMinimum(Dimensions size) {
        long pixels = (long) size.width() * size.height();
        if (pixels >= WAN_MIN_PIXELS) {
            return size;
        }
        double scale = Math.sqrt((double) WAN_MIN_PIXELS / pixels);
        return new Dimensions((int) Math.ceil(size.width() * scale), (int) Math.ceil(size.height() * scale));
    }

    @Override
    public Outcome poll(GenerationJob job, String taskId) throws UpstreamException, InterruptedException {
        JsonNode output = checked(http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/tasks/" + taskId))
                .header("Authorization", "Bearer " + apiKey).GET())).path("output");
        return switch (output.path("task_status").asString("")) {
            case "PENDING" -> new Outcome.Pending(taskId, 10, pollInterval);
            case "RUNNING" -> new Outcome.Pending(taskId, 50, pollInterval);
            case "SUCCEEDED" -> new Outcome.Done(images(job, output, job.outputSize()));
            case "FAILED" -> throw failed(output.path("code").asString(""), output.path("message").asString(""));
            case "CANCELED" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope cancelled the job", false);
            case "UNKNOWN" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope no longer knows the job (expired or unknown)", false);
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope answered with an unknown task status", true);
        };
    }

    /**
     * Every image of {@code output.choices[].message.content[]}, downloaded at once (the links expire),
     * scaled to {@code wanted} when Wan had to generate a larger one. A choice without an image (one
     * that failed inspection) is left out; none at all is a failure.
     */
    private List<GeneratedImage> images(GenerationJob job, JsonNode output, Dimensions wanted) throws UpstreamException, InterruptedException {
        List<GeneratedImage> images = new ArrayList<>();
        String failure = output.path("code").asString("");
        for (JsonNode choice : output.path("choices")) {
            for (JsonNode part : choice.path("message").path("content")) {
                if (part.hasNonNull("image")) {
                    images.add(fitted(job, http.download(part.get("image").asString()), wanted));
                }
            }
            if (choice.hasNonNull("code")) {
                failure = choice.get("code").asString("");
            }
        }
        if (images.isEmpty()) {
            throw failed(failure, output.path("message").asString(""));
        }
        return images;
    }

    /** Scales a larger image down to the requested size; the aspect ratio is the same by construction. */
    private static GeneratedImage fitted(GenerationJob job, GeneratedImage image, Dimensions wanted)
            throws UpstreamException, InterruptedException {
        if (image.width() == wanted.width() && image.height() == wanted.height()
                || (long) image.width() * image.height() <= (long) wanted.width() * wanted.height()) {
            return image;
        }
        String what = NAME + "'s " + image.width() + "x" + image.height() + " image";
        // the decoded image, the scaled one and the encoder's copy of it
        long pixels = (long) image.width() * image.height() + 2L * wanted.width() * wanted.height();
        try (var lease = job.reserve(pixels, what)) {
            BufferedImage source = job.decode(lease, image.bytes(), what);
            BufferedImage scaled = new BufferedImage(wanted.width(), wanted.height(), BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = scaled.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.drawImage(source, 0, 0, wanted.width(), wanted.height(), null);
            } finally {
                g.dispose();
            }
            byte[] png = ImageEncoder.encode(scaled, ImageFormat.PNG);
            return new GeneratedImage(png, "image/png", wanted.width(), wanted.height());
        } catch (IOException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope returned an image that could not be read", true);
        }
    }

    @Override
    public void cancel(String taskId) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/tasks/" + taskId + "/cancel"))
                    .header("Authorization", "Bearer " + apiKey).POST(HttpRequest.BodyPublishers.noBody()));
        } catch (UpstreamException e) {
            // best effort: the job may have started already, when DashScope no longer cancels
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static UpstreamException failed(String code, String message) {
        boolean moderated = code != null && (code.startsWith("DataInspection") || code.contains("DataInspection") || code.equals("IPInfringementSuspect"));
        String text = "dashscope could not generate the image" + (code == null || code.isEmpty() ? "" : " (" + code + ")")
                + (message.isEmpty() ? "" : ": " + (message.length() > 200 ? message.substring(0, 200) : message));
        return new UpstreamException(moderated ? ErrorCode.CONTENT_MODERATED : ErrorCode.UPSTREAM_ERROR, text, false);
    }

    /** A 2xx answer's body; otherwise the failure DashScope's error code stands for. */
    private JsonNode checked(UpstreamHttp.Answer answer) throws UpstreamException {
        if (answer.ok()) {
            return http.json(answer);
        }
        JsonNode body = http.jsonOrEmpty(answer);
        String code = body.path("code").asString("");
        String message = body.path("message").asString("");
        boolean moderated = code.contains("DataInspection") || code.equals("IPInfringementSuspect");
        if (answer.status() == 403 && code.startsWith("AccessDenied")) {
            // DashScope's 403 is not only a bad key: the same answer comes for a model the account has
            // not enabled and for an async/sync endpoint mismatch. Neither is the client's fault.
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope refused the call (HTTP 403 " + code
                    + "); the operator should check that the key's region and account have this model enabled", false);
        }
        if (answer.status() == 408) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope timed out (" + code + ")", true);
        }
        throw http.failure(answer, code.isEmpty() ? message : code + ": " + message, moderated);
    }
}
