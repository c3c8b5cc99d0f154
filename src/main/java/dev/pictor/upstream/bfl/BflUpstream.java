package dev.pictor.upstream.bfl;

import dev.pictor.common.Json;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.BaseUrls;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamContext;
import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.UpstreamDefinition.Setting;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import dev.pictor.common.ErrorCode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Black Forest Labs (asynchronous): {@code POST /v1/<model>} with {@code x-key} answers
 * {@code {id, polling_url}}; the polling URL (which may point at a regional host) is the stored job
 * reference, polled until {@code Ready}, whose {@code result.sample} link expires in minutes and is
 * downloaded at once. FLUX.2 takes {@code width}/{@code height} and up to eight input images;
 * Kontext takes an {@code aspect_ratio} and one input image.
 */
public final class BflUpstream implements Upstream {
    public static final String NAME = "bfl";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "Black Forest Labs",
            List.of(Setting.required("PICTOR_BFL_API_KEY"), Setting.optional("PICTOR_BFL_BASE_URL", "https://api.bfl.ai")),
            Map.of("flux-2-pro", "flux-2-pro", "flux-2-pro-edit", "flux-2-pro",
                    "flux-2-flex", "flux-2-flex", "flux-2-flex-edit", "flux-2-flex",
                    "flux-kontext-pro", "flux-kontext-pro", "flux-kontext-pro-edit", "flux-kontext-pro",
                    "flux-kontext-max", "flux-kontext-max", "flux-kontext-max-edit", "flux-kontext-max"),
            (config, context) -> new BflUpstream(config.get("PICTOR_BFL_API_KEY"), config.get("PICTOR_BFL_BASE_URL"), context));

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public BflUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
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
        ObjectNode body = Json.object().put("prompt", request.prompt()).put("output_format", request.format().extension());
        boolean kontext = job.upstreamModel().startsWith("flux-kontext");
        if (kontext) {
            String ratio = request.input().path("size").asString("");
            if (!ratio.isEmpty()) {
                body.put("aspect_ratio", ratio);
            }
        } else {
            Dimensions size = job.outputSize();
            body.put("width", size.width()).put("height", size.height());
        }
        for (int i = 0; i < sources.size(); i++) {
            body.put(i == 0 ? "input_image" : "input_image_" + (i + 1), Base64.getEncoder().encodeToString(sources.get(i).bytes()));
        }
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/" + job.upstreamModel()))
                .header("x-key", apiKey)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode submitted = http.json(answer);
        String pollingUrl = submitted.path("polling_url").asString("");
        if (pollingUrl.isEmpty()) {
            String id = submitted.path("id").asString("");
            if (id.isEmpty()) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl accepted the job without an id or polling_url", true);
            }
            pollingUrl = baseUrl + "/v1/get_result?id=" + id;
        }
        return new Outcome.Pending(pollingUrl, 5, pollInterval);
    }

    @Override
    public Outcome poll(GenerationJob job, String pollingUrl) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(pollingUrl))
                .header("x-key", apiKey)
                .header("Accept", "application/json")
                .GET());
        if (answer.status() == 404) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl no longer knows the job (expired or unknown)", false);
        }
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode result = http.json(answer);
        String status = result.path("status").asString("");
        return switch (status) {
            case "Ready" -> {
                String sample = result.path("result").path("sample").asString("");
                if (sample.isEmpty()) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl reported Ready without a result", false);
                }
                GeneratedImage image = http.download(sample);
                yield new Outcome.Done(List.of(image));
            }
            case "Pending", "Queued", "Processing" -> {
                int progress = (int) Math.round(result.path("progress").asDouble(0) * 100);
                yield new Outcome.Pending(pollingUrl, Math.max(5, Math.min(95, progress)), pollInterval);
            }
            case "Request Moderated" -> throw new UpstreamException(ErrorCode.CONTENT_MODERATED,
                    "bfl flagged the request (prompt or input image) before generating", false);
            case "Content Moderated" -> throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "bfl flagged the generated image", false);
            case "Task not found" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl no longer knows the job (expired or unknown)", false);
            case "Error" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl could not generate the image", false);
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "bfl answered with an unknown status", true);
        };
    }

    /** BFL's error text: FastAPI's {@code detail}, a string or a list of {@code {msg}}. */
    private String detail(UpstreamHttp.Answer answer) {
        JsonNode detail = http.jsonOrEmpty(answer).path("detail");
        if (detail.isString()) {
            return detail.asString();
        }
        if (detail.isArray() && !detail.isEmpty()) {
            return detail.get(0).path("msg").asString("");
        }
        return "";
    }
}
