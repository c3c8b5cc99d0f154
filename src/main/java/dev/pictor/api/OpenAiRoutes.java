package dev.pictor.api;

import dev.pictor.auth.Principal;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.task.Task;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;

/**
 * The OpenAI Images API over the task engine: a request is a task whose caller waits for it (up to
 * {@code PICTOR_MAX_WAIT_SECONDS}). When the caller goes away, the task goes on and stays visible in
 * the task list; {@code X-Pictor-Task-Id} names it on every answer. Each step has its own class:
 * {@link OpenAiRequestReader} reads the form, {@link OpenAiMapping} maps it onto a model,
 * {@link OpenAiResponses} writes the answer and {@link OpenAiErrors} the OpenAI-shaped errors.
 */
public final class OpenAiRoutes implements RouteGroup {
    private final TaskService tasks;
    private final ModelCatalog catalog;
    private final OpenAiRequestReader reader;
    private final OpenAiMapping mapping;
    private final OpenAiResponses responses;
    private final Duration maxWait;

    public OpenAiRoutes(TaskService tasks, ModelCatalog catalog, BlobStore blobs, FileUrls fileUrls, long maxBodyBytes, long maxImageBytes,
                 Duration maxWait, String modelAliases) {
        this.tasks = tasks;
        this.catalog = catalog;
        this.reader = new OpenAiRequestReader(maxBodyBytes, maxImageBytes);
        this.mapping = new OpenAiMapping(catalog, ModelAliases.parse(modelAliases, catalog));
        this.responses = new OpenAiResponses(blobs, fileUrls);
        this.maxWait = maxWait;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/images/generations", this::generations);
        routes.post("/v1/images/edits", this::edits);
        routes.get("/v1/models", this::models);
        routes.get("/v1/images/tasks/{task_id}", this::task);
    }

    private void generations(Context ctx) throws InterruptedException, IOException {
        // A transport timer (like the wait's own), so the run here and the wait after share one limit.
        long startNanos = System.nanoTime();
        Principal principal = ApiServer.principal(ctx);
        OpenAiRequest request = reader.generation(ctx);
        OpenAiMapping.Mapped mapped = mapping.generation(request);
        // With an Idempotency-Key, a retry after a cut connection attaches to the first task and waits for its images.
        // A caller that waits has its task run here at once (submitAndRun), rather than queued for the dispatcher.
        String key = ApidotRoutes.idempotencyKey(ctx);
        TaskService.Submission submission = respondAsync(ctx.header("Prefer"))
                ? tasks.submit(principal.tenantId(), ApiServer.submitter(principal), mapped.spec().id(), mapped.input(), null, key)
                : tasks.submitAndRun(principal.tenantId(), ApiServer.submitter(principal), mapped.spec().id(), mapped.input(), key, maxWait);
        if (submission.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        answer(ctx, submission.task(), submission.outputs(), request, maxWait.minusNanos(System.nanoTime() - startNanos));
    }

    private void edits(Context ctx) throws InterruptedException, IOException {
        Principal principal = ApiServer.principal(ctx);
        OpenAiRequest request = reader.edit(ctx);
        OpenAiMapping.Mapped mapped = mapping.edit(request);
        TaskService.Submission submission = tasks.submitWithSources(principal.tenantId(), ApiServer.submitter(principal), mapped.spec().id(), mapped.input(), request.images());
        answer(ctx, submission.task(), submission.outputs(), request, maxWait);
    }

    /**
     * The answer once the task has ended, or "not ready" when it has not within {@code wait};
     * {@code outputs} are the bytes of its files when the submit ran it here (see {@link OpenAiResponses#images}).
     */
    private void answer(Context ctx, Task task, java.util.Map<String, byte[]> outputs, OpenAiRequest request, Duration wait)
            throws InterruptedException, IOException {
        ctx.header("X-Pictor-Task-Id", task.id());
        if (respondAsync(ctx.header("Prefer"))) {
            ctx.header("Preference-Applied", "respond-async");
            pending(ctx, task);
            return;
        }
        Task done = task.status().isTerminal() || wait.isNegative() || wait.isZero() ? task : tasks.awaitTerminal(task, wait);
        if (done.status() == TaskStatus.FAILED) {
            throw OpenAiErrors.failure(done);
        }
        if (done.status() != TaskStatus.FINISHED) {
            throw OpenAiErrors.notReady(done, maxWait);
        }
        HttpJson.write(ctx, 200, responses.images(done, request, outputs));
    }

    /** RFC 7240's {@code respond-async}, among any other preferences. */
    private static boolean respondAsync(String prefer) {
        if (prefer == null) {
            return false;
        }
        for (String token : prefer.split(",")) {
            if (token.trim().toLowerCase(java.util.Locale.ROOT).equals("respond-async")) {
                return true;
            }
        }
        return false;
    }

    /** 202: the task goes on; {@code Location} is where to poll for it. */
    private static void pending(Context ctx, Task task) {
        ctx.header("Location", "/v1/images/tasks/" + task.id());
        ctx.header("Retry-After", "1");
        var body = dev.pictor.common.Json.object()
                .put("id", task.id())
                .put("object", "image.task")
                .put("status", task.status() == TaskStatus.NOT_STARTED ? "queued" : "in_progress")
                .put("progress", task.progress())
                .put("created", task.createdAt().getEpochSecond());
        HttpJson.write(ctx, 202, body);
    }

    /**
     * {@code GET /v1/images/tasks/{id}}: 202 while the task runs, the OpenAI images answer once it
     * finished ({@code ?response_format=url} for links, base64 by default, as OpenAI's GPT models),
     * and the OpenAI-shaped error once it failed.
     */
    private void task(Context ctx) throws IOException {
        Principal principal = ApiServer.principal(ctx);
        String id = ctx.pathParam("task_id");
        Task task = tasks.find(principal.tenantId(), id)
                .orElseThrow(() -> ApiException.notFound("task " + (id.length() > 80 ? id.substring(0, 80) : id) + " not found"));
        ctx.header("X-Pictor-Task-Id", task.id());
        String format = ctx.queryParam("response_format") == null ? "b64_json" : ctx.queryParam("response_format");
        if (!format.equals("url") && !format.equals("b64_json")) {
            throw ApiException.badRequest("response_format must be url or b64_json", "response_format");
        }
        if (task.status() == TaskStatus.FAILED) {
            throw OpenAiErrors.failure(task);
        }
        if (task.status() != TaskStatus.FINISHED) {
            pending(ctx, task);
            return;
        }
        var input = dev.pictor.common.Json.parse(task.inputJson());
        String quality = input.hasNonNull("quality") ? input.get("quality").asString() : null;
        HttpJson.write(ctx, 200, responses.images(task, new OpenAiRequest(task.model(), null, null, null, quality, null, null, format,
                java.util.List.of(), false), java.util.Map.of()));
    }

    private void models(Context ctx) {
        HttpJson.write(ctx, 200, OpenAiResponses.models(catalog.all()));
    }
}
