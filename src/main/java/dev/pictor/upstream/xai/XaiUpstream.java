package dev.pictor.upstream.xai;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
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
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * xAI Grok Imagine (synchronous): {@code POST /v1/images/generations} for text, and
 * {@code POST /v1/images/edits} for one to three reference images, both JSON (xAI refuses the
 * OpenAI SDK's multipart edits). The catalog's {@code aspect_ratio} and {@code resolution}
 * ({@code 1K}/{@code 2K}, xAI spells them {@code 1k}/{@code 2k}) and {@code n} are passed through.
 * Answers carry temporary URLs, downloaded at once; xAI's encoding is converted when another
 * {@code output_format} was asked for, since xAI takes no format parameter.
 */
public final class XaiUpstream implements Upstream {
    public static final String NAME = "xai";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "xAI Grok Imagine",
            List.of(Setting.required("PICTOR_XAI_API_KEY"), Setting.optional("PICTOR_XAI_BASE_URL", "https://api.x.ai")),
            Map.of("grok-imagine-image-quality", "grok-imagine-image-quality", "grok-imagine-image", "grok-imagine-image"),
            (config, context) -> new XaiUpstream(config.get("PICTOR_XAI_API_KEY"), config.get("PICTOR_XAI_BASE_URL"), context));

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;

    public XaiUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
        this.baseUrl = BaseUrls.root(baseUrl, "/v1"); // xAI's docs write the base with /v1, as the OpenAI SDKs do
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
        ObjectNode body = Json.object()
                .put("model", job.upstreamModel())
                .put("prompt", request.prompt())
                .put("n", request.imageCount())
                .put("response_format", "url");
        // Always sent, also on edits (where xAI would otherwise keep the source's ratio): the catalog
        // promises the output size the ratio and tier give.
        // grok-imagine-image names its ratio "size", the quality model "aspect_ratio"
        String ratio = request.input().path("aspect_ratio").asString(request.input().path("size").asString(""));
        if (!ratio.isEmpty()) {
            body.put("aspect_ratio", ratio);
        }
        String resolution = request.input().path("resolution").asString("");
        if (!resolution.isEmpty()) {
            body.put("resolution", resolution.toLowerCase(Locale.ROOT));
        }
        String path = "/v1/images/generations";
        if (!sources.isEmpty()) {
            path = "/v1/images/edits";
            if (sources.size() == 1) {
                body.set("image", reference(sources.getFirst()));
            } else {
                var images = body.putArray("images");
                for (SourceImage source : sources) {
                    images.add(reference(source));
                }
            }
        }
        job.progress().report(10);
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        if (!answer.ok()) {
            JsonNode json = http.jsonOrEmpty(answer);
            String message = json.path("error").isString() ? json.path("error").asString()
                    : json.path("error").path("message").asString(json.path("message").asString(""));
            String code = json.path("code").asString(json.path("error").path("code").asString(""));
            boolean moderated = code.contains("moderat") || code.contains("content_policy")
                    || message.toLowerCase(Locale.ROOT).contains("content policy");
            throw http.failure(answer, message, moderated);
        }
        JsonNode data = http.json(answer).path("data");
        if (!data.isArray() || data.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "xai answered without an image", true);
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode item : data) {
            GeneratedImage image;
            if (item.hasNonNull("url")) {
                image = http.download(item.get("url").asString());
            } else if (item.hasNonNull("b64_json")) {
                try {
                    image = http.image(Base64.getDecoder().decode(item.get("b64_json").asString()));
                } catch (IllegalArgumentException e) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "xai sent an image that is not valid base64", true);
                }
            } else {
                continue;
            }
            images.add(job.inFormat(image, request.format(), NAME));
        }
        if (images.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "xai answered without an image", true);
        }
        return new Outcome.Done(images);
    }

    /** A reference image as xAI's JSON edit takes it: a data URI, so xAI never fetches a client's URL itself. */
    private static ObjectNode reference(SourceImage source) {
        return Json.object().put("type", "image_url")
                .put("url", "data:" + source.contentType() + ";base64," + Base64.getEncoder().encodeToString(source.bytes()));
    }

}
