package dev.pictor.upstream.ark;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seedream on BytePlus ModelArk / Volcengine Ark (synchronous): {@code POST <base>/images/generations}
 * with a Bearer key. Pictor always sends the exact {@code WIDTHxHEIGHT} its catalog promises, the
 * sources as data URLs in {@code image}, and for {@code n > 1} asks for a sequential group of up to n
 * images (Seedream may return fewer). A {@code *SensitiveContentDetected} error is moderation.
 */
public final class ArkUpstream implements Upstream {
    public static final String NAME = "ark";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "BytePlus ModelArk / Volcengine Ark",
            List.of(Setting.required("PICTOR_ARK_API_KEY"), Setting.optional("PICTOR_ARK_BASE_URL", "https://ark.ap-southeast.bytepluses.com/api/v3")),
            Map.of("seedream-4.5", "seedream-4-5-251128", "seedream-4.5-edit", "seedream-4-5-251128",
                    "seedream-5.0-lite", "seedream-5-0-260128", "seedream-5.0-lite-edit", "seedream-5-0-260128"),
            (config, context) -> new ArkUpstream(config.get("PICTOR_ARK_API_KEY"), config.get("PICTOR_ARK_BASE_URL"), context));

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;

    public ArkUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
        this.baseUrl = BaseUrls.root(baseUrl, "/api/v3") + "/api/v3"; // the SDK base includes /api/v3; accept it with or without
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
        List<SourceImage> sources = job.sources();
        Dimensions size = job.outputSize();
        ObjectNode body = Json.object()
                .put("model", job.upstreamModel())
                .put("prompt", request.prompt())
                .put("size", size.toString())
                .put("response_format", "b64_json")
                .put("watermark", false);
        if (!sources.isEmpty()) {
            ArrayNode images = body.putArray("image");
            for (SourceImage source : sources) {
                images.add("data:" + source.contentType() + ";base64," + Base64.getEncoder().encodeToString(source.bytes()));
            }
        }
        if (request.imageCount() > 1) {
            body.put("sequential_image_generation", "auto");
            body.putObject("sequential_image_generation_options").put("max_images", request.imageCount());
        } else {
            body.put("sequential_image_generation", "disabled");
        }
        job.progress().report(10);
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/images/generations"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            JsonNode error = http.jsonOrEmpty(answer).path("error");
            throw http.failure(answer, error.path("message").asString(""), error.path("code").asString("").contains("SensitiveContentDetected"));
        }
        List<GeneratedImage> images = new ArrayList<>();
        String failure = null;
        for (JsonNode item : http.json(answer).path("data")) {
            if (item.hasNonNull("b64_json")) {
                try {
                    images.add(http.image(Base64.getDecoder().decode(item.get("b64_json").asString())));
                } catch (IllegalArgumentException e) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "ark sent an image that is not valid base64", true);
                }
            } else if (item.hasNonNull("url")) {
                images.add(http.download(item.get("url").asString()));
            } else if (item.has("error")) {
                failure = item.path("error").path("code").asString("");
            }
        }
        if (images.isEmpty()) {
            if (failure != null && failure.contains("SensitiveContentDetected")) {
                throw new UpstreamException(ErrorCode.CONTENT_MODERATED, "ark flagged the generated image (" + failure + ")", false);
            }
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "ark answered without an image" + (failure == null ? "" : " (" + failure + ")"), false);
        }
        return new Outcome.Done(images);
    }
}
