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
    }

    private void generations(Context ctx) throws InterruptedException, IOException {
        Principal principal = ApiServer.principal(ctx);
        OpenAiRequest request = reader.generation(ctx);
        OpenAiMapping.Mapped mapped = mapping.generation(request);
        TaskService.Submission submission = tasks.submit(principal.tenantId(), mapped.spec().id(), mapped.input(), null, null);
        answer(ctx, submission.task(), request);
    }

    private void edits(Context ctx) throws InterruptedException, IOException {
        Principal principal = ApiServer.principal(ctx);
        OpenAiRequest request = reader.edit(ctx);
        OpenAiMapping.Mapped mapped = mapping.edit(request);
        TaskService.Submission submission = tasks.submitWithSources(principal.tenantId(), mapped.spec().id(), mapped.input(), request.images());
        answer(ctx, submission.task(), request);
    }

    private void answer(Context ctx, Task task, OpenAiRequest request) throws InterruptedException, IOException {
        ctx.header("X-Pictor-Task-Id", task.id());
        Task done = tasks.awaitTerminal(task, maxWait);
        if (done.status() == TaskStatus.FAILED) {
            throw OpenAiErrors.failure(done);
        }
        if (done.status() != TaskStatus.FINISHED) {
            throw OpenAiErrors.notReady(done, maxWait);
        }
        HttpJson.write(ctx, 200, responses.images(done, request));
    }

    private void models(Context ctx) {
        HttpJson.write(ctx, 200, OpenAiResponses.models(catalog.all()));
    }
}
