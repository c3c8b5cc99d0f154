package dev.pictor.upstream.dashscope;

import dev.pictor.common.Json;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import dev.pictor.common.ErrorCode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Alibaba DashScope image synthesis (asynchronous): {@code POST
 * /api/v1/services/aigc/text2image/image-synthesis} (or {@code image2image} with source images) with
 * {@code X-DashScope-Async: enable} answers a {@code task_id}, polled at {@code GET /api/v1/tasks/<id>}
 * until {@code SUCCEEDED} (results may be partial: an image that failed inspection is left out) or
 * {@code FAILED}. Sizes are {@code W*H}. Cancel is {@code POST /api/v1/tasks/<id>/cancel}.
 */
public final class DashScopeUpstream implements Upstream {
    public static final String NAME = "dashscope";

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final Duration pollInterval;
    private final int concurrency;

    public DashScopeUpstream(String apiKey, String baseUrl, UpstreamHttp http, Duration pollInterval, int concurrency) {
        this.apiKey = apiKey;
        this.baseUrl = baseUrl;
        this.http = http;
        this.pollInterval = pollInterval;
        this.concurrency = concurrency;
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
        ObjectNode body = Json.object().put("model", job.upstreamModel());
        ObjectNode input = body.putObject("input").put("prompt", request.prompt());
        if (!sources.isEmpty()) {
            ArrayNode images = input.putArray("images");
            for (SourceImage source : sources) {
                images.add("data:" + source.contentType() + ";base64," + Base64.getEncoder().encodeToString(source.bytes()));
            }
        }
        ObjectNode parameters = body.putObject("parameters")
                .put("size", size.width() + "*" + size.height())
                .put("n", request.imageCount())
                .put("watermark", false)
                .put("prompt_extend", false);
        if (request.seed() != null) {
            parameters.put("seed", request.seed() % 2_147_483_648L);
        }
        String path = sources.isEmpty() ? "text2image" : "image2image";
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/services/aigc/" + path + "/image-synthesis"))
                .header("Authorization", "Bearer " + apiKey)
                .header("X-DashScope-Async", "enable")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        JsonNode output = checked(answer).path("output");
        String taskId = output.path("task_id").asString("");
        if (taskId.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope accepted the job without a task_id", true);
        }
        return new Outcome.Pending(taskId, 5, pollInterval);
    }

    @Override
    public Outcome poll(GenerationJob job, String taskId) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/tasks/" + taskId))
                .header("Authorization", "Bearer " + apiKey).GET());
        JsonNode output = checked(answer).path("output");
        String status = output.path("task_status").asString("");
        return switch (status) {
            case "PENDING" -> new Outcome.Pending(taskId, 10, pollInterval);
            case "RUNNING" -> new Outcome.Pending(taskId, 50, pollInterval);
            case "SUCCEEDED" -> {
                List<GeneratedImage> images = new ArrayList<>();
                String failure = null;
                for (JsonNode result : output.path("results")) {
                    if (result.hasNonNull("url")) {
                        images.add(http.download(result.get("url").asString()));
                    } else {
                        failure = result.path("code").asString("");
                    }
                }
                if (images.isEmpty()) {
                    throw failed(failure, "");
                }
                yield new Outcome.Done(images);
            }
            case "FAILED" -> throw failed(output.path("code").asString(""), output.path("message").asString(""));
            case "CANCELED" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope cancelled the job", false);
            case "UNKNOWN" -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope no longer knows the job (expired or unknown)", false);
            default -> throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope answered with an unknown task status", true);
        };
    }

    @Override
    public void cancel(String taskId) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/tasks/" + taskId + "/cancel"))
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
        String code = "";
        String message = "";
        try {
            JsonNode body = http.json(answer);
            code = body.path("code").asString("");
            message = body.path("message").asString("");
        } catch (UpstreamException ignored) {
            // no readable error body
        }
        boolean moderated = code.contains("DataInspection") || code.equals("IPInfringementSuspect");
        if (answer.status() == 408) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "dashscope timed out (" + code + ")", true);
        }
        throw http.failure(answer, code.isEmpty() ? message : code + ": " + message, moderated);
    }
}
