package dev.pictor.upstream.a1111;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
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
import java.util.Map;
import java.util.concurrent.Semaphore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * AUTOMATIC1111 / Forge WebUI started with {@code --api} (a local engine, synchronous):
 * {@code POST /sdapi/v1/txt2img}, or {@code /sdapi/v1/img2img} with the first source as
 * {@code init_images}; answers base64 PNGs. No model is routed by default: the operator names the
 * catalog models it serves in {@code PICTOR_ROUTES} ({@code model=a1111:<checkpoint>} switches the
 * checkpoint per call through {@code override_settings}, {@code model=a1111} uses the loaded one).
 *
 * <p>One GPU runs one generation at a time, so the concurrency defaults to 1: further tasks wait in
 * Pictor's queue, where they can still be cancelled or fall back, instead of in the engine's. Cancel
 * is {@code POST /sdapi/v1/interrupt}, which stops whatever the engine is running: with concurrency 1
 * that is the cancelled task's own generation.
 */
public final class A1111Upstream implements Upstream {
    public static final String NAME = "a1111";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "AUTOMATIC1111 / Forge WebUI",
            List.of(Setting.required("PICTOR_A1111_URL"), Setting.optional("PICTOR_A1111_CONCURRENCY", "1")),
            Map.of(),
            (config, context) -> new A1111Upstream(config.get("PICTOR_A1111_URL"), Integer.parseInt(config.get("PICTOR_A1111_CONCURRENCY")), context));

    private final String baseUrl;
    private final UpstreamHttp http;
    private final int concurrency;
    /**
     * Held from sending a generation until its answer or its interrupt is done. Pictor frees the
     * task's slot as soon as a cancel lands, before this call has unwound; without the gate the next
     * task's generation could reach the engine first and be the one the interrupt stops.
     */
    private final Semaphore gate;

    public A1111Upstream(String baseUrl, int concurrency, UpstreamContext context) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("PICTOR_A1111_CONCURRENCY must be at least 1");
        }
        this.baseUrl = BaseUrls.root(baseUrl, "");
        this.http = context.http();
        this.concurrency = concurrency;
        this.gate = new Semaphore(concurrency);
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
        Dimensions size = job.outputSize();
        ObjectNode body = Json.object()
                .put("prompt", request.prompt())
                .put("width", size.width())
                .put("height", size.height())
                .put("seed", request.seed() == null ? -1 : request.seed())
                .put("batch_size", request.imageCount())
                .put("n_iter", 1)
                .put("send_images", true)
                .put("save_images", false);
        if (job.upstreamModel() != null && !job.upstreamModel().isBlank()) {
            body.putObject("override_settings").put("sd_model_checkpoint", job.upstreamModel());
        }
        String path = "/sdapi/v1/txt2img";
        if (!job.sources().isEmpty()) {
            path = "/sdapi/v1/img2img";
            // img2img starts from one picture: the first source; further ones have no A1111 input
            body.putArray("init_images").add(Base64.getEncoder().encodeToString(job.sources().getFirst().bytes()));
        }
        job.progress().report(5);
        UpstreamHttp.Answer answer;
        gate.acquire();
        try {
            answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        } catch (InterruptedException e) {
            // Cancel, deadline or shutdown: a synchronous task has no stored job reference for
            // Pictor's cancel path, and the engine keeps generating after Pictor hangs up, so stop it here.
            cancel(null);
            throw e;
        } finally {
            gate.release();
        }
        if (!answer.ok()) {
            throw http.failure(answer, detail(answer), false);
        }
        JsonNode items = http.json(answer).path("images");
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode item : items) {
            String b64 = item.asString("");
            b64 = b64.startsWith("data:") ? b64.substring(b64.indexOf(',') + 1) : b64;
            try {
                images.add(job.inFormat(http.image(Base64.getDecoder().decode(b64)), request.format(), NAME));
            } catch (IllegalArgumentException e) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "a1111 sent an image that is not valid base64", true);
            }
        }
        if (images.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "a1111 answered without an image", true);
        }
        // A1111 may append extra images (grids, ControlNet maps) after the batch: keep the batch.
        return new Outcome.Done(images.subList(0, Math.min(images.size(), request.imageCount())));
    }

    @Override
    public void cancel(String upstreamRef) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/sdapi/v1/interrupt")).POST(HttpRequest.BodyPublishers.noBody()));
        } catch (UpstreamException e) {
            // best effort: the engine may be gone or already idle
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** FastAPI's 422 {@code detail} list, or the 500 body's {@code error}/{@code errors}. */
    private String detail(UpstreamHttp.Answer answer) {
        JsonNode json = http.jsonOrEmpty(answer);
        JsonNode detail = json.path("detail");
        if (detail.isArray() && !detail.isEmpty()) {
            JsonNode loc = detail.get(0).path("loc");
            return (loc.isArray() && !loc.isEmpty() ? loc.get(loc.size() - 1).asString("") + ": " : "") + detail.get(0).path("msg").asString("");
        }
        return json.path("errors").asString(json.path("error").asString(detail.asString("")));
    }
}
