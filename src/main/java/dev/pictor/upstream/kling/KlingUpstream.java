package dev.pictor.upstream.kling;

import dev.pictor.common.Json;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kling image models (asynchronous): {@code POST /v1/images/omni-image} with a JWT bearer token
 * answers a {@code task_id}, polled at {@code GET /v1/images/omni-image/<task_id>} through
 * {@code submitted}, {@code processing} to {@code succeed} or {@code failed}. Pictor's task id goes
 * along as {@code external_task_id}. Source images go in {@code image_list} as raw base64; the
 * {@code elements}' frontal images follow as URLs, which Kling fetches itself.
 */
public final class KlingUpstream implements Upstream {
    public static final String NAME = "kling";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "Kling",
            List.of(Setting.required("PICTOR_KLING_ACCESS_KEY"), Setting.required("PICTOR_KLING_SECRET_KEY"),
                    Setting.optional("PICTOR_KLING_BASE_URL", "https://api-singapore.klingai.com")),
            Map.of("kling-o1-image-edit", "kling-image-o1", "kling-o3-image", "kling-v3-omni", "kling-o3-image-edit", "kling-v3-omni"),
            (config, context) -> new KlingUpstream(config.get("PICTOR_KLING_ACCESS_KEY"), config.get("PICTOR_KLING_SECRET_KEY"),
                    config.get("PICTOR_KLING_BASE_URL"), context));

    private final KlingJwt jwt;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public KlingUpstream(String accessKey, String secretKey, String baseUrl, UpstreamContext context) {
        this.jwt = new KlingJwt(accessKey, secretKey, context.clock());
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
        JsonNode input = request.input();
        ObjectNode body = Json.object()
                .put("model_name", job.upstreamModel())
                .put("prompt", request.prompt())
                .put("resolution", input.path("resolution").asString("1K").toLowerCase(Locale.ROOT))
                .put("aspect_ratio", input.path("size").asString("auto"))
                .put("result_type", input.path("result_type").asString("single"))
                .put("external_task_id", job.taskId());
        if (input.has("series_amount")) {
            body.put("series_amount", input.get("series_amount").intValue());
        } else {
            body.put("n", request.imageCount());
        }
        ArrayNode images = body.putArray("image_list");
        for (SourceImage source : job.sources()) {
            images.addObject().put("image", Base64.getEncoder().encodeToString(source.bytes()));
        }
        for (JsonNode element : input.path("elements")) {
            images.addObject().put("image", element.path("frontal_image_url").asString());
        }
        UpstreamHttp.Answer answer = http.send(authorized(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/omni-image")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        JsonNode data = checked(answer).path("data");
        String taskId = data.path("task_id").asString("");
        if (taskId.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling accepted the job without a task_id", true);
        }
        return new Outcome.Pending(taskId, 5, pollInterval);
    }

    @Override
    public Outcome poll(GenerationJob job, String taskId) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(authorized(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/omni-image/" + taskId))).GET());
        JsonNode data = checked(answer).path("data");
        String status = data.path("task_status").asString("");
        return switch (status) {
            case "submitted" -> new Outcome.Pending(taskId, 10, pollInterval);
            case "processing" -> new Outcome.Pending(taskId, 50, pollInterval);
            case "succeed" -> {
                List<GeneratedImage> results = new ArrayList<>();
                JsonNode result = data.path("task_result");
                for (JsonNode image : result.path("images")) {
                    results.add(http.download(image.path("url").asString()));
                }
                for (JsonNode image : result.path("series_images")) {
                    results.add(http.download(image.path("url").asString()));
                }
                if (results.isEmpty()) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling reported success without images", false);
                }
                yield new Outcome.Done(results);
            }
            case "failed" -> {
                String reason = data.path("task_status_msg").asString("");
                String lower = reason.toLowerCase(Locale.ROOT);
                boolean moderated = lower.contains("risk") || lower.contains("sensitive") || lower.contains("security") || lower.contains("policy");
                throw new UpstreamException(moderated ? ErrorCode.CONTENT_MODERATED : ErrorCode.UPSTREAM_ERROR,
                        "kling could not generate the image" + (reason.isEmpty() ? "" : ": " + (reason.length() > 200 ? reason.substring(0, 200) : reason)), false);
            }
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling answered with an unknown task status", true);
        };
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + jwt.token());
    }

    /** Kling answers {@code {"code":0,...}} on success; otherwise its code says what went wrong and whether to retry. */
    private JsonNode checked(UpstreamHttp.Answer answer) throws UpstreamException {
        JsonNode body;
        try {
            body = http.json(answer);
        } catch (UpstreamException e) {
            if (!answer.ok()) {
                throw http.failure(answer, "", false);
            }
            throw e;
        }
        int code = body.path("code").asInt(answer.ok() ? 0 : -1);
        if (answer.ok() && code == 0) {
            return body;
        }
        String message = body.path("message").asString("");
        if (code == 1300 || code == 1301) {
            throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "kling refused the content: " + message, false);
        }
        if (code == 1302 || code == 1303 || code >= 5000) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling is busy (code " + code + "): " + message, true);
        }
        if (code >= 1100 && code < 1200 || code == 1304) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling refused the account (code " + code + "): " + message, false);
        }
        if (code >= 1000 && code < 1100) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "kling rejected Pictor's credentials (code " + code + ")", false);
        }
        if (code >= 1200 && code < 1300) {
            throw new UpstreamException(ErrorCode.INVALID_INPUT, "kling rejected the request (code " + code + "): " + message, false);
        }
        throw http.failure(answer, message, false);
    }
}
