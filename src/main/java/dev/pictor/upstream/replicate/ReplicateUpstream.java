package dev.pictor.upstream.replicate;

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
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replicate predictions (asynchronous, Bearer token). A route's upstream model id is
 * {@code owner/name} (an official model: {@code POST /v1/models/{owner}/{name}/predictions}) or
 * {@code owner/name:version} ({@code POST /v1/predictions} with {@code version}). The create call asks
 * {@code Prefer: wait=5}: fast models answer finished in that call, slower ones come back
 * {@code starting}/{@code processing} and their {@code urls.get} is the stored job reference, polled
 * until {@code succeeded}; cancel is {@code POST urls.get + /cancel} ({@code urls.cancel}). Outputs
 * are deleted after an hour, so they are downloaded at once.
 *
 * <p>Inputs are model-specific; the adapter sends the ones Replicate's image models commonly take:
 * {@code prompt}, {@code width}/{@code height}, {@code num_outputs} (above one), {@code seed},
 * {@code output_format}, and sources as data URIs in {@code input_images} and, for one, {@code image}.
 */
public final class ReplicateUpstream implements Upstream {
    public static final String NAME = "replicate";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "Replicate",
            List.of(Setting.required("PICTOR_REPLICATE_API_TOKEN"), Setting.optional("PICTOR_REPLICATE_BASE_URL", "https://api.replicate.com")),
            Map.of("flux-2-pro", "black-forest-labs/flux-2-pro", "flux-2-pro-edit", "black-forest-labs/flux-2-pro"),
            (config, context) -> new ReplicateUpstream(config.get("PICTOR_REPLICATE_API_TOKEN"), config.get("PICTOR_REPLICATE_BASE_URL"), context));

    private final String token;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public ReplicateUpstream(String token, String baseUrl, UpstreamContext context) {
        this.token = token;
        this.baseUrl = BaseUrls.root(baseUrl, "/v1"); // paths below add /v1; the base may carry it or not
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
        ObjectNode input = Json.object()
                .put("prompt", request.prompt())
                .put("width", size.width())
                .put("height", size.height())
                .put("output_format", request.format() == ImageFormat.JPEG ? "jpg" : request.format().extension());
        if (request.imageCount() > 1) {
            input.put("num_outputs", request.imageCount());
        }
        if (request.seed() != null) {
            input.put("seed", request.seed());
        }
        if (!sources.isEmpty()) {
            var images = input.putArray("input_images");
            for (SourceImage source : sources) {
                images.add(dataUri(source));
            }
            if (sources.size() == 1) {
                input.put("image", dataUri(sources.getFirst()));
            }
        }
        String model = job.upstreamModel();
        ObjectNode body = Json.object();
        String path;
        int colon = model.indexOf(':');
        if (colon >= 0) {
            path = "/v1/predictions";
            body.put("version", model.substring(colon + 1));
        } else {
            path = "/v1/models/" + model + "/predictions";
        }
        body.set("input", input);
        UpstreamHttp.Answer answer = http.send(authorized(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=5")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode prediction = http.json(answer);
        String id = prediction.path("id").asString("");
        if (id.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "replicate accepted the prediction without an id", true);
        }
        String getUrl = prediction.path("urls").path("get").asString("");
        if (!sameOrigin(getUrl)) {
            getUrl = baseUrl + "/v1/predictions/" + id; // never send the token to a host other than the base URL's
        }
        return outcome(job, getUrl, prediction);
    }

    @Override
    public Outcome poll(GenerationJob job, String getUrl) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(authorized(URI.create(getUrl)).GET());
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        return outcome(job, getUrl, http.json(answer));
    }

    private Outcome outcome(GenerationJob job, String getUrl, JsonNode prediction) throws UpstreamException, InterruptedException {
        String status = prediction.path("status").asString("");
        return switch (status) {
            case "starting" -> new Outcome.Pending(getUrl, 5, pollInterval);
            case "processing" -> new Outcome.Pending(getUrl, progress(prediction.path("logs").asString("")), pollInterval);
            // Replicate bills public models by predict_time (seconds of hardware time)
            case "succeeded" -> new Outcome.Done(images(job, prediction.path("output")),
                    new UpstreamUsage(0, 0, UpstreamUsage.millis(prediction.path("metrics").path("predict_time").asDouble(0))));
            case "failed" -> {
                String error = prediction.path("error").asString("");
                // Replicate has no moderation code: safety checkers of the models say NSFW in the error text
                boolean moderated = error.toLowerCase(Locale.ROOT).contains("nsfw") || error.toLowerCase(Locale.ROOT).contains("safety");
                throw new UpstreamException(moderated ? ErrorCode.CONTENT_MODERATED : ErrorCode.UPSTREAM_ERROR,
                        "replicate's prediction failed" + (error.isEmpty() ? "" : ": " + clip(error)), false);
            }
            case "canceled", "aborted" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "replicate's prediction was " + status, false);
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "replicate answered with an unknown status", true);
        };
    }

    private List<GeneratedImage> images(GenerationJob job, JsonNode output) throws UpstreamException, InterruptedException {
        List<String> urls = new ArrayList<>();
        if (output.isString()) {
            urls.add(output.asString());
        } else if (output.isArray()) {
            output.forEach(o -> {
                if (o.isString()) {
                    urls.add(o.asString());
                }
            });
        }
        if (urls.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "replicate's prediction succeeded without an image URL", false);
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (String url : urls) {
            images.add(job.inFormat(http.download(url), job.request().format(), NAME));
        }
        return images;
    }

    @Override
    public void cancel(String getUrl) {
        try {
            http.send(authorized(URI.create(getUrl + "/cancel")).POST(HttpRequest.BodyPublishers.noBody()));
        } catch (UpstreamException e) {
            // best effort: a prediction that already ended is left as it is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last percentage in the logs (cog models print tqdm bars), else halfway. */
    private static int progress(String logs) {
        return LogProgress.progress(LogProgress.lastPercent(logs));
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).header("Accept", "application/json");
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

    /** Replicate's problem-details text ({@code detail}, else {@code title}). */
    private String detail(UpstreamHttp.Answer answer) {
        JsonNode json = http.jsonOrEmpty(answer);
        return json.path("detail").asString(json.path("title").asString(""));
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
