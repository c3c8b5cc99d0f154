package dev.pictor.upstream.fal;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.BaseUrls;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.LogProgress;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamContext;
import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.UpstreamDefinition.Setting;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import dev.pictor.upstream.UpstreamUsage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * fal.ai through its queue (asynchronous): {@code POST {base}/{endpoint}} with the endpoint's input
 * JSON and {@code Authorization: Key ...} answers a {@code request_id} and its {@code response_url};
 * that URL is the stored job reference. Polls read {@code {response_url}/status?logs=1}
 * ({@code IN_QUEUE} with its queue position, {@code IN_PROGRESS} with logs, {@code COMPLETED}); the
 * result is {@code GET response_url}; cancel is {@code PUT {response_url}/cancel}.
 *
 * <p>fal is an aggregator: every endpoint has its own schema. The adapter sends the inputs fal's
 * image endpoints share ({@code prompt}, {@code image_size} as width/height, {@code num_images},
 * {@code seed}, {@code output_format}, and sources as data URIs in {@code image_urls} and, for one
 * source, {@code image_url}); the operator points other models at endpoints with {@code PICTOR_ROUTES}.
 */
public final class FalUpstream implements Upstream {
    public static final String NAME = "fal";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "fal.ai",
            List.of(Setting.required("PICTOR_FAL_KEY"), Setting.optional("PICTOR_FAL_BASE_URL", "https://queue.fal.run")),
            Map.of("flux-2-pro", "fal-ai/flux-2-pro", "flux-2-pro-edit", "fal-ai/flux-2-pro/edit"),
            (config, context) -> new FalUpstream(config.get("PICTOR_FAL_KEY"), config.get("PICTOR_FAL_BASE_URL"), context));

    private final String key;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public FalUpstream(String key, String baseUrl, UpstreamContext context) {
        this.key = key;
        this.baseUrl = BaseUrls.root(baseUrl, "");
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

    @Override
    public Outcome start(GenerationJob job) throws UpstreamException, InterruptedException {
        GenerationRequest request = job.request();
        List<SourceImage> sources = job.sources();
        Dimensions size = job.outputSize();
        ObjectNode body = Json.object()
                .put("prompt", request.prompt())
                .put("num_images", request.imageCount())
                // fal's image endpoints write jpeg or png; webp is converted here from png
                .put("output_format", request.format() == ImageFormat.JPEG ? "jpeg" : "png");
        body.putObject("image_size").put("width", size.width()).put("height", size.height());
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        if (!sources.isEmpty()) {
            var urls = body.putArray("image_urls");
            for (SourceImage source : sources) {
                urls.add(dataUri(source));
            }
            if (sources.size() == 1) {
                body.put("image_url", dataUri(sources.getFirst()));
            }
        }
        String endpoint = job.upstreamModel().replaceAll("^/+", "");
        UpstreamHttp.Answer answer = http.send(authorized(URI.create(baseUrl + "/" + endpoint))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode submitted = http.json(answer);
        String requestId = submitted.path("request_id").asString("");
        if (requestId.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "fal accepted the request without a request_id", true);
        }
        String responseUrl = submitted.path("response_url").asString("");
        if (!sameOrigin(responseUrl)) {
            // Status and result live under {owner}/{app} only: a sub-path (fal-ai/flux-2-pro/edit) is dropped.
            // A URL on another host is never trusted with the key either.
            String[] parts = endpoint.split("/");
            String app = parts.length >= 2 ? parts[0] + "/" + parts[1] : endpoint;
            responseUrl = baseUrl + "/" + app + "/requests/" + requestId;
        }
        return new Outcome.Pending(responseUrl, 1, pollInterval);
    }

    @Override
    public Outcome poll(GenerationJob job, String responseUrl) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(authorized(URI.create(responseUrl + "/status?logs=1")).GET());
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode status = http.json(answer);
        return switch (status.path("status").asString("")) {
            case "IN_QUEUE" -> {
                // Position 0 is next: the closer to the front, the higher the (small) progress.
                int position = Math.max(0, status.path("queue_position").asInt(0));
                yield new Outcome.Pending(responseUrl, Math.max(1, 9 - Math.min(position, 8)), pollInterval);
            }
            case "IN_PROGRESS" -> new Outcome.Pending(responseUrl, progress(status.path("logs")), pollInterval);
            case "COMPLETED" -> {
                if (status.hasNonNull("error")) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "fal could not run the request: " + clip(status.path("error").asString("")), false);
                }
                // fal's queue status carries the inference time; its results carry no billing units
                yield result(job, responseUrl, new UpstreamUsage(0, 0,
                        UpstreamUsage.millis(status.path("metrics").path("inference_time").asDouble(0))));
            }
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "fal answered with an unknown status", true);
        };
    }

    private Outcome result(GenerationJob job, String responseUrl, UpstreamUsage usage) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(authorized(URI.create(responseUrl)).GET());
        if (!answer.ok()) {
            // the endpoint's own validation (422) surfaces here in queue mode
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode output = http.json(answer);
        JsonNode items = output.path("images");
        if (!items.isArray() || items.isEmpty()) {
            items = output.has("image") ? Json.MAPPER.createArrayNode().add(output.get("image")) : items;
        }
        JsonNode nsfw = output.path("has_nsfw_concepts");
        List<GeneratedImage> images = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (nsfw.path(i).asBoolean(false)) {
                continue; // fal's safety checker blanked this one
            }
            String url = items.get(i).path("url").asString("");
            if (url.isEmpty()) {
                continue;
            }
            GeneratedImage image = url.startsWith("data:") ? decode(url) : http.download(url);
            images.add(job.inFormat(image, job.request().format(), NAME));
        }
        if (images.isEmpty()) {
            if (nsfw.isArray() && !nsfw.isEmpty()) {
                throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "fal's safety checker flagged every image", false);
            }
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "fal's result has no image", false);
        }
        return new Outcome.Done(images, usage);
    }

    @Override
    public void cancel(String responseUrl) {
        try {
            http.send(authorized(URI.create(responseUrl + "/cancel")).PUT(HttpRequest.BodyPublishers.noBody()));
        } catch (UpstreamException e) {
            // best effort: fal only signals a running request; the endpoint decides whether it stops
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Progress while running: the last percentage in the newest log message that prints one, else halfway. */
    private static int progress(JsonNode logs) {
        for (int i = logs.size() - 1; i >= 0; i--) {
            OptionalInt percent = LogProgress.lastPercent(logs.get(i).path("message").asString(""));
            if (percent.isPresent()) {
                return LogProgress.progress(percent);
            }
        }
        return LogProgress.progress(OptionalInt.empty());
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Key " + key).header("Accept", "application/json");
    }

    private boolean sameOrigin(String url) {
        if (url.isEmpty()) {
            return false;
        }
        try {
            URI a = URI.create(url);
            URI b = URI.create(baseUrl);
            return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                    && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String dataUri(SourceImage source) {
        return "data:" + source.contentType() + ";base64," + Base64.getEncoder().encodeToString(source.bytes());
    }

    private GeneratedImage decode(String dataUri) throws UpstreamException {
        int comma = dataUri.indexOf(',');
        try {
            return http.image(Base64.getDecoder().decode(dataUri.substring(comma + 1)));
        } catch (IllegalArgumentException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "fal sent an image that is not valid base64", true);
        }
    }

    /** fal's error text: FastAPI's {@code detail}, a string or a list of {@code {loc, msg}}. */
    private String detail(UpstreamHttp.Answer answer) {
        JsonNode detail = http.jsonOrEmpty(answer).path("detail");
        if (detail.isString()) {
            return detail.asString();
        }
        if (detail.isArray() && !detail.isEmpty()) {
            JsonNode first = detail.get(0);
            JsonNode loc = first.path("loc");
            return (loc.isArray() && !loc.isEmpty() ? loc.get(loc.size() - 1).asString("") + ": " : "") + first.path("msg").asString("");
        }
        return "";
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
