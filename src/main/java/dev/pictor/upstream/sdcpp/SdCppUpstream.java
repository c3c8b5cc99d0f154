package dev.pictor.upstream.sdcpp;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ImageFormat;
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
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stable-diffusion.cpp server (a local engine, synchronous), through its OpenAI-compatible API:
 * {@code POST /v1/images/generations} (JSON {@code prompt}, {@code n}, {@code size} WxH,
 * {@code output_format}) and {@code POST /v1/images/edits} (multipart, one {@code image[]} part per
 * source); answers {@code data[].b64_json}. The server runs the one model it was started with, so
 * routes come only from {@code PICTOR_ROUTES} ({@code model=sdcpp}) and the upstream model id is not
 * sent. Concurrency defaults to 1: tasks wait in Pictor's queue, not in the server's. This API has no
 * cancel call (the server's native {@code /sdcpp/v1} jobs have one; not used here).
 */
public final class SdCppUpstream implements Upstream {
    public static final String NAME = "sdcpp";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "stable-diffusion.cpp server",
            List.of(Setting.required("PICTOR_SDCPP_URL"), Setting.optional("PICTOR_SDCPP_CONCURRENCY", "1")),
            Map.of(),
            (config, context) -> new SdCppUpstream(config.get("PICTOR_SDCPP_URL"), Integer.parseInt(config.get("PICTOR_SDCPP_CONCURRENCY")), context));

    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;

    public SdCppUpstream(String baseUrl, int concurrency, UpstreamContext context) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("PICTOR_SDCPP_CONCURRENCY must be at least 1");
        }
        this.baseUrl = BaseUrls.root(baseUrl, "/v1");
        this.http = context.http();
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
        // the edits endpoint writes png or jpeg only; webp is converted here
        String format = request.format() == ImageFormat.JPEG ? "jpeg" : "png";
        HttpRequest.Builder call;
        if (sources.isEmpty()) {
            ObjectNode body = Json.object().put("prompt", request.prompt()).put("n", request.imageCount())
                    .put("size", size.toString()).put("output_format", format);
            call = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/generations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            String boundary = "pictor-" + UUID.randomUUID();
            var out = new ByteArrayOutputStream();
            field(out, boundary, "prompt", request.prompt());
            field(out, boundary, "n", Integer.toString(request.imageCount()));
            field(out, boundary, "size", size.toString());
            field(out, boundary, "output_format", format);
            for (int i = 0; i < sources.size(); i++) {
                SourceImage s = sources.get(i);
                out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image[]\"; filename=\"source-" + i + "."
                        + s.contentType().substring("image/".length()) + "\"\r\nContent-Type: " + s.contentType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.writeBytes(s.bytes());
                out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            call = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/images/edits"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
        }
        job.progress().report(5);
        UpstreamHttp.Answer answer = http.send(call);
        if (!answer.ok()) {
            JsonNode json = http.jsonOrEmpty(answer);
            String detail = json.path("error").isString() ? json.path("error").asString()
                    : json.path("error").path("message").asString(json.path("message").asString(""));
            throw http.failure(answer, detail, false);
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode item : http.json(answer).path("data")) {
            try {
                images.add(job.inFormat(http.image(Base64.getDecoder().decode(item.path("b64_json").asString(""))), request.format(), NAME));
            } catch (IllegalArgumentException e) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "sdcpp sent an image that is not valid base64", true);
            }
        }
        if (images.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "sdcpp answered without an image", true);
        }
        return new Outcome.Done(images);
    }

    private static void field(ByteArrayOutputStream out, String boundary, String name, String value) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
    }

}
