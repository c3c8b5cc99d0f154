package dev.pictor.upstream.gemini;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google Gemini image models (synchronous): {@code POST /v1beta/models/<model>:generateContent} with
 * {@code x-goog-api-key}; the prompt and the source images go in as parts, the image comes back as an
 * {@code inlineData} part. A prompt Gemini blocks comes back as HTTP 200 with a
 * {@code promptFeedback.blockReason} or a safety {@code finishReason} and no image: that is
 * {@code content_moderated}. Gemini answers PNG; another requested format is re-encoded here.
 */
public final class GeminiUpstream implements Upstream {
    public static final String NAME = "gemini";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "Google Gemini",
            List.of(Setting.required("PICTOR_GEMINI_API_KEY"), Setting.optional("PICTOR_GEMINI_BASE_URL", "https://generativelanguage.googleapis.com")),
            Map.of("nano-banana-2", "gemini-3.1-flash-image-preview", "nano-banana-2-edit", "gemini-3.1-flash-image-preview",
                    "nano-banana-pro", "gemini-3-pro-image-preview", "nano-banana-pro-edit", "gemini-3-pro-image-preview"),
            (config, context) -> new GeminiUpstream(config.get("PICTOR_GEMINI_API_KEY"), config.get("PICTOR_GEMINI_BASE_URL"), context));
    private static final Set<String> SAFETY_REASONS = Set.of("SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
            "IMAGE_PROHIBITED_CONTENT", "RECITATION", "IMAGE_RECITATION", "JAILBREAK", "MODEL_ARMOR");

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;

    public GeminiUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
        this.baseUrl = BaseUrls.root(baseUrl, "/v1beta"); // paths below add /v1beta; the base may carry it or not
        this.http = context.http();
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
        ObjectNode body = Json.object();
        ArrayNode parts = body.putArray("contents").addObject().put("role", "user").putArray("parts");
        parts.addObject().put("text", request.prompt());
        for (SourceImage source : job.sources()) {
            parts.addObject().putObject("inlineData").put("mimeType", source.contentType())
                    .put("data", Base64.getEncoder().encodeToString(source.bytes()));
        }
        ObjectNode config = body.putObject("generationConfig");
        config.putArray("responseModalities").add("TEXT").add("IMAGE");
        ObjectNode imageConfig = config.putObject("imageConfig");
        String ratio = request.input().path("size").asString("auto");
        if (!ratio.equals("auto")) {
            imageConfig.put("aspectRatio", ratio);
        }
        String tier = request.input().path("resolution").asString("1K");
        imageConfig.put("imageSize", tier.equals("0.5K") ? "512" : tier);
        if (request.seed() != null) {
            config.put("seed", request.seed());
        }
        if (request.input().path("google_search").asBoolean(false) || request.input().path("enable_web_search").asBoolean(false)) {
            body.putArray("tools").addObject().putObject("googleSearch");
        }
        job.progress().report(10);
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1beta/models/" + job.upstreamModel() + ":generateContent"))
                .header("x-goog-api-key", apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            throw http.failure(answer, http.jsonOrEmpty(answer).path("error").path("message").asString(""), false);
        }
        JsonNode result = http.json(answer);
        String blocked = result.path("promptFeedback").path("blockReason").asString("");
        if (!blocked.isEmpty()) {
            throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "gemini blocked the prompt (" + blocked + ")", false);
        }
        JsonNode candidate = result.path("candidates").path(0);
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode part : candidate.path("content").path("parts")) {
            JsonNode inline = part.path("inlineData");
            if (inline.isObject() && !part.path("thought").asBoolean(false)) {
                try {
                    images.add(job.inFormat(http.image(Base64.getDecoder().decode(inline.path("data").asString(""))), request.format(), NAME));
                } catch (IllegalArgumentException e) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "gemini sent an image that is not valid base64", true);
                }
            }
        }
        if (images.isEmpty()) {
            String reason = candidate.path("finishReason").asString("");
            if (SAFETY_REASONS.contains(reason)) {
                throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "gemini refused to draw it (finish reason " + reason + ")", false);
            }
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "gemini answered without an image"
                    + (reason.isEmpty() ? "" : " (finish reason " + reason + ")"), false);
        }
        return new Outcome.Done(List.of(images.getLast()));
    }

}
