package dev.pictor.upstream.openai;

import java.util.ArrayList;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.BaseUrls;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamContext;
import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.UpstreamDefinition.Setting;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import dev.pictor.upstream.UpstreamUsage;
import dev.pictor.common.Json;
import dev.pictor.common.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Images (synchronous): {@code POST /v1/images/generations} as JSON, and
 * {@code POST /v1/images/edits} as multipart with one {@code image[]} part per source. GPT image
 * models answer with {@code b64_json}. A refusal by the safety system (400, code
 * {@code moderation_blocked}) is {@code content_moderated}.
 */
public final class OpenAiUpstream implements Upstream {
    public static final String NAME = "openai";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "OpenAI Images",
            List.of(Setting.required("PICTOR_OPENAI_API_KEY"), Setting.optional("PICTOR_OPENAI_BASE_URL", "https://api.openai.com")),
            Map.of("gpt-image-2", "gpt-image-2", "gpt-image-2-edit", "gpt-image-2",
                    // OpenAI's own names go through as themselves.
                    "gpt-image-1", "gpt-image-1", "gpt-image-1-edit", "gpt-image-1",
                    "gpt-image-1.5", "gpt-image-1.5", "gpt-image-1.5-edit", "gpt-image-1.5",
                    "dall-e-3", "dall-e-3", "dall-e-2", "dall-e-2"),
            (config, context) -> new OpenAiUpstream(config.get("PICTOR_OPENAI_API_KEY"), config.get("PICTOR_OPENAI_BASE_URL"), context));

    private final String apiKey;
    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;

    public OpenAiUpstream(String apiKey, String baseUrl, UpstreamContext context) {
        this.apiKey = apiKey;
        this.baseUrl = BaseUrls.root(baseUrl, "/v1"); // paths below add /v1; the base may carry it or not
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
        String quality = request.input().path("quality").asString("auto");
        HttpRequest.Builder call;
        if (sources.isEmpty()) {
            ObjectNode body = Json.object()
                    .put("model", job.upstreamModel())
                    .put("prompt", request.prompt())
                    .put("n", 1)
                    .put("size", size.toString());
            if (job.upstreamModel().startsWith("dall-e-")) {
                // DALL-E takes neither output_format nor quality auto, and answers with a URL unless asked for base64.
                body.put("response_format", "b64_json");
                if (request.input().has("quality")) {
                    body.put("quality", quality);
                }
            } else {
                body.put("quality", quality).put("output_format", request.format().extension());
            }
            call = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/generations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            var form = new Multipart();
            form.field("model", job.upstreamModel());
            form.field("prompt", request.prompt());
            form.field("n", "1");
            form.field("size", size.toString());
            form.field("quality", quality);
            form.field("output_format", request.format().extension());
            for (int i = 0; i < sources.size(); i++) {
                SourceImage source = sources.get(i);
                form.file("image[]", "source-" + i + "." + source.contentType().substring("image/".length()), source.contentType(), source.bytes());
            }
            call = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/edits"))
                    .header("Content-Type", "multipart/form-data; boundary=" + form.boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(form.finish()));
        }
        job.progress().report(10);
        UpstreamHttp.Answer answer = http.send(call.header("Authorization", "Bearer " + apiKey));
        if (!answer.ok()) {
            JsonNode error = http.jsonOrEmpty(answer).path("error");
            String code = error.path("code").asString("");
            boolean moderated = code.equals("moderation_blocked") || code.equals("content_policy_violation")
                    || error.path("type").asString("").equals("image_generation_user_error");
            if (answer.status() == 429 && code.equals("insufficient_quota")) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "openai account has no quota left (HTTP 429 insufficient_quota)", false);
            }
            throw http.failure(answer, error.path("message").asString(""), moderated);
        }
        JsonNode root = http.json(answer);
        JsonNode data = root.path("data");
        if (!data.isArray() || data.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "openai answered without an image", true);
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode item : data) {
            if (item.hasNonNull("b64_json")) {
                try {
                    images.add(http.image(Base64.getDecoder().decode(item.get("b64_json").asString())));
                } catch (IllegalArgumentException e) {
                    throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "openai sent an image that is not valid base64", true);
                }
            } else if (item.hasNonNull("url")) {
                images.add(http.download(item.get("url").asString()));
            }
        }
        // GPT image models report the tokens OpenAI bills; DALL-E answers have no usage block.
        JsonNode usage = root.path("usage");
        return new Outcome.Done(images, new UpstreamUsage(UpstreamUsage.tokens(usage.get("input_tokens")),
                UpstreamUsage.tokens(usage.get("output_tokens")), 0));
    }

    /** multipart/form-data, as the OpenAI SDKs send edits. */
    private static final class Multipart {
        private final String boundary = "pictor-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void field(String name, String value) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }

        void file(String name, String filename, String contentType, byte[] bytes) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
                    + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }

        byte[] finish() {
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }
    }
}
