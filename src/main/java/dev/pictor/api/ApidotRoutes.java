package dev.pictor.api;

import dev.pictor.common.WireTime;

import dev.pictor.common.Json;
import dev.pictor.auth.Principal;
import dev.pictor.billing.Credits;
import dev.pictor.billing.PriceTable;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.task.Task;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStatus;
import dev.pictor.task.TaskStore;
import dev.pictor.task.TaskView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The APIDot-compatible task API (submit, status), Pictor's additions to it (wait mode, idempotent
 * submit, cancel, listing, server-sent status events) and the model catalog.
 */
public final class ApidotRoutes implements RouteGroup {
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final int MAX_PAGE = 100;

    private final TaskService tasks;
    private final ModelCatalog catalog;
    private final PriceTable prices;
    private final TaskView taskView;
    private final long maxBodyBytes;
    private final Duration maxWait;

    public ApidotRoutes(TaskService tasks, ModelCatalog catalog, PriceTable prices, TaskView taskView, long maxBodyBytes, Duration maxWait) {
        this.tasks = tasks;
        this.catalog = catalog;
        this.prices = prices;
        this.taskView = taskView;
        this.maxBodyBytes = maxBodyBytes;
        this.maxWait = maxWait;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/api/generate/submit", this::submit);
        routes.post("/api/generate/estimate", this::estimate);
        routes.get("/api/generate/status/{task_id}", this::status);
        routes.post("/api/generate/cancel/{task_id}", this::cancel);
        routes.get("/api/generate/tasks", this::list);
        routes.get("/api/generate/events/{task_id}", this::events);
        routes.get("/api/models", this::models);
    }

    private void submit(Context ctx) throws InterruptedException {
        Principal principal = ApiServer.principal(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        checkSubmitBody(body);
        JsonNode model = body.get("model");
        JsonNode callback = body.get("callback_url");
        Duration wait = preferredWait(ctx.header("Prefer"));
        TaskService.Submission submission = tasks.submit(principal.tenantId(), model.asString(), body.get("input"),
                callback == null || callback.isNull() ? null : callback.asString(), idempotencyKey(ctx));
        if (submission.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        Task task = submission.task();
        if (wait == null) {
            ObjectNode data = Json.object();
            data.put("task_id", task.id());
            data.put("status", task.status().wire());
            data.put("model", task.model());
            data.put("created_time", WireTime.apidot(task.createdAt()));
            data.put("created_at", WireTime.rfc3339(task.createdAt()));
            HttpJson.ok(ctx, data);
            return;
        }
        ctx.header("Preference-Applied", "wait=" + wait.toSeconds());
        Task done = tasks.awaitTerminal(task, wait);
        HttpJson.ok(ctx, taskView.render(done, tasks.queuePosition(done)));
    }

    /** The shape checks of a submit body, shared with the estimate so both answer a bad body alike. */
    private static void checkSubmitBody(ObjectNode body) {
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
        JsonNode callback = body.get("callback_url");
        if (callback != null && !callback.isNull() && !callback.isString()) {
            throw ApiException.badRequest("callback_url must be an http or https URL", "callback_url");
        }
    }

    /** What a submit of this body would cost, from the price table; validated as submit validates, nothing stored. */
    private void estimate(Context ctx) {
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        checkSubmitBody(body);
        JsonNode callback = body.get("callback_url");
        var request = tasks.check(body.get("model").asString(), body.get("input"),
                callback == null || callback.isNull() ? null : callback.asString());
        long millis = prices.estimate(request);
        ObjectNode data = Json.object();
        data.put("model", request.model());
        data.put("credits", Credits.credits(millis));
        data.put("usd", Credits.usd(millis));
        HttpJson.ok(ctx, data);
    }

    /**
     * {@code Prefer: wait} (60 s) or {@code Prefer: wait=N} (N seconds, at most the server's maximum);
     * null without it. Unreadable preferences are ignored, as RFC 7240 asks.
     */
    private Duration preferredWait(String prefer) {
        if (prefer == null) {
            return null;
        }
        for (String token : prefer.split(",")) {
            String t = token.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("wait")) {
                return DEFAULT_WAIT.compareTo(maxWait) < 0 ? DEFAULT_WAIT : maxWait;
            }
            if (t.startsWith("wait=")) {
                try {
                    long seconds = Long.parseLong(t.substring(5).trim());
                    Duration d = Duration.ofSeconds(Math.max(0, seconds));
                    return d.compareTo(maxWait) < 0 ? d : maxWait;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String idempotencyKey(Context ctx) {
        String key = ctx.header("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ApiException.badRequest("Idempotency-Key must be 1-255 visible ASCII characters", "Idempotency-Key");
        }
        return key;
    }

    private Task findOr404(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        String id = ctx.pathParam("task_id");
        return tasks.find(principal.tenantId(), id)
                .orElseThrow(() -> ApiException.notFound("task " + (id.length() > 80 ? id.substring(0, 80) : id) + " not found"));
    }

    private void status(Context ctx) {
        Task task = findOr404(ctx);
        HttpJson.ok(ctx, taskView.render(task, tasks.queuePosition(task)));
    }

    private void cancel(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        Task before = findOr404(ctx);
        TaskService.Cancellation result = tasks.cancel(principal.tenantId(), before.id()).orElseThrow();
        ObjectNode data = taskView.render(result.task(), null);
        data.put("cancel_result", result.cancelledNow() ? "cancelled"
                : result.task().errorCode() == dev.pictor.common.ErrorCode.CANCELLED ? "already_cancelled"
                : "already_" + result.task().status().wire());
        HttpJson.ok(ctx, data);
    }

    private void list(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        TaskStatus status = null;
        String statusParam = ctx.queryParam("status");
        if (statusParam != null) {
            try {
                status = TaskStatus.fromWire(statusParam);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("status must be one of not_started, running, finished, failed", "status");
            }
        }
        String model = ctx.queryParam("model");
        if (model != null && catalog.find(model).isEmpty()) {
            throw ApiException.badRequest("model '" + (model.length() > 64 ? model.substring(0, 64) : model) + "' is not supported", "model");
        }
        int limit = 20;
        if (ctx.queryParam("limit") != null) {
            try {
                limit = Integer.parseInt(ctx.queryParam("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_PAGE, "limit");
            }
        }
        TaskService.Page page = tasks.list(principal.tenantId(), status, model, time(ctx, "since"), time(ctx, "until"),
                cursor(ctx.queryParam("cursor")), limit);
        ObjectNode data = Json.object();
        var list = data.putArray("tasks");
        page.tasks().forEach(t -> list.add(taskView.render(t, null)));
        data.put("has_more", page.next() != null);
        data.put("next_cursor", page.next() == null ? null : encode(page.next()));
        HttpJson.ok(ctx, data);
    }

    private static Instant time(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return null;
        }
        try {
            return WireTime.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a UTC time such as 2026-11-21T00:00:00 or 2026-11-21T00:00:00Z", name);
        }
    }

    /** Cursors are opaque to clients: base64url of the last task's creation time and id. */
    private static String encode(TaskStore.Cursor c) {
        String raw = c.createdAt().getEpochSecond() + "." + c.createdAt().getNano() + "." + c.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static TaskStore.Cursor cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\.", 3);
            return new TaskStore.Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw ApiException.badRequest("cursor is not one this server gave out", "cursor");
        }
    }

    /**
     * Server-sent events: one {@code status} event (the status data) whenever status, progress or
     * queue position changes, ending after the terminal state. Comments keep idle connections open.
     */
    private void events(Context ctx) throws IOException, InterruptedException {
        Task task = findOr404(ctx);
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        String lastState = null;
        Instant lastWrite = Instant.now();
        while (true) {
            Long position = tasks.queuePosition(task);
            String state = task.status().wire() + "/" + task.progress() + "/" + position;
            if (!state.equals(lastState)) {
                String json = Json.write(taskView.render(task, position));
                out.write(("event: status\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastState = state;
                lastWrite = Instant.now();
            } else if (Duration.between(lastWrite, Instant.now()).compareTo(KEEP_ALIVE) >= 0) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastWrite = Instant.now();
            }
            if (task.status().isTerminal()) {
                return;
            }
            task = tasks.nextState(task, Duration.ofMillis(500));
        }
    }

    private void models(Context ctx) {
        ObjectNode data = Json.object();
        var list = data.putArray("models");
        for (ObjectNode model : catalog.describeAll()) {
            model.set("price", prices.rule(model.get("id").asString()).orElseThrow().describe());
            list.add(model);
        }
        HttpJson.ok(ctx, data);
    }
}
