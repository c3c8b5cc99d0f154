package dev.pictor.api;

import dev.pictor.Json;
import dev.pictor.auth.Principal;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.task.Task;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The APIDot-compatible task API: submit, status, and the model catalog. */
final class ApidotRoutes {
    private final TaskService tasks;
    private final ModelCatalog catalog;
    private final TaskView taskView;
    private final long maxBodyBytes;

    ApidotRoutes(TaskService tasks, ModelCatalog catalog, TaskView taskView, long maxBodyBytes) {
        this.tasks = tasks;
        this.catalog = catalog;
        this.taskView = taskView;
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/generate/submit", this::submit);
        routes.get("/api/generate/status/{task_id}", this::status);
        routes.get("/api/models", this::models);
    }

    private void submit(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        for (String name : body.propertyNames()) {
            if (!name.equals("model") && !name.equals("input") && !name.equals("callback_url") && !body.get(name).isNull()) {
                throw ApiException.badRequest("unknown field " + name + "; a submit takes model, input and callback_url", name);
            }
        }
        JsonNode model = body.get("model");
        if (model == null || model.isNull() || (model.isString() && model.asString().isBlank())) {
            throw ApiException.badRequest("model is required", "model");
        }
        if (!model.isString()) {
            throw ApiException.badRequest("model must be a string", "model");
        }
        String callbackUrl = callbackUrl(body.get("callback_url"));
        Task task = tasks.submit(principal.tenantId(), model.asString(), body.get("input"), callbackUrl);
        ObjectNode data = Json.object();
        data.put("task_id", task.id());
        data.put("status", task.status().wire());
        data.put("model", task.model());
        data.put("created_time", TaskView.isoTime(task.createdAt()));
        HttpJson.ok(ctx, data);
    }

    private static String callbackUrl(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw ApiException.badRequest("callback_url must be an http or https URL", "callback_url");
        }
        return value.asString();
    }

    private void status(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        String id = ctx.pathParam("task_id");
        Task task = tasks.find(principal.tenantId(), id)
                .orElseThrow(() -> ApiException.notFound("task " + (id.length() > 80 ? id.substring(0, 80) : id) + " not found"));
        HttpJson.ok(ctx, taskView.render(task));
    }

    private void models(Context ctx) {
        ObjectNode data = Json.object();
        var list = data.putArray("models");
        catalog.describeAll().forEach(list::add);
        HttpJson.ok(ctx, data);
    }
}
