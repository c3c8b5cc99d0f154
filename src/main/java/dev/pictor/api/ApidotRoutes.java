package dev.pictor.api;

import dev.pictor.common.WireTime;

import dev.pictor.common.Json;
import dev.pictor.auth.Principal;
import dev.pictor.billing.Credits;
import dev.pictor.billing.PriceTable;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.task.Metadata;
import dev.pictor.task.Task;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStatus;
import dev.pictor.task.TaskStore;
import dev.pictor.task.TaskView;
import dev.pictor.task.WebhookEventType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The APIDot-compatible task API (submit, status), Pictor's additions to it (wait mode, idempotent
 * submit, cancel, listing, server-sent status events) and the model catalog.
 */
public final class ApidotRoutes implements RouteGroup, CachedAnswers {
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final int MAX_PAGE = 100;
    /** Ended tasks whose status answers are kept (a few KB each). */
    private static final int FINISHED_CACHE_ENTRIES = 10_000;

    private final TaskService tasks;
    private final ModelCatalog catalog;
    private final PriceTable prices;
    private final TaskView taskView;
    private final long maxBodyBytes;
    private final Duration maxWait;
    private final FinishedStatusCache finished;

    public ApidotRoutes(TaskService tasks, ModelCatalog catalog, PriceTable prices, TaskView taskView, long maxBodyBytes, Duration maxWait) {
        this.tasks = tasks;
        this.catalog = catalog;
        this.prices = prices;
        this.taskView = taskView;
        this.maxBodyBytes = maxBodyBytes;
        this.maxWait = maxWait;
        this.finished = new FinishedStatusCache(FINISHED_CACHE_ENTRIES, System::nanoTime);
        tasks.onEndedTaskChange(finished::forget);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/api/generate/submit", this::submit);
        routes.post("/api/generate/estimate", this::estimate);
        routes.get("/api/generate/status/{task_id}", this::status);
        routes.post("/api/generate/cancel/{task_id}", this::cancel);
        routes.get("/api/generate/tasks", this::list);
        routes.delete("/api/generate/tasks/{task_id}/files", this::deleteFiles);
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
        TaskService.Submission submission = tasks.submit(principal.tenantId(), ApiServer.submitter(principal), model.asString(), body.get("input"),
                callback == null || callback.isNull() ? null : callback.asString(), Metadata.from(body.get("metadata")),
                WebhookEventType.from(body.get("webhook_events"), callback != null && !callback.isNull()), retention(body), idempotencyKey(ctx));
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
        try (var held = tasks.hold()) {
            // A node that starts shutting down answers the status of the moment, as a wait that ran out does.
            Task done = tasks.awaitTerminalUnlessDraining(task, wait);
            HttpJson.ok(ctx, taskView.render(done, tasks.queuePosition(done)));
        }
    }

    /** The shape checks of a submit body, shared with the estimate so both answer a bad body alike. */
    private static void checkSubmitBody(ObjectNode body) {
        for (String name : body.propertyNames()) {
            if (!name.equals("model") && !name.equals("input") && !name.equals("callback_url") && !name.equals("metadata")
                    && !name.equals("webhook_events") && !name.equals("retention_seconds") && !body.get(name).isNull()) {
                throw ApiException.badRequest("unknown field " + name
                        + "; a submit takes model, input, callback_url, metadata, webhook_events and retention_seconds", name);
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

    /** The submit's own retention ({@code retention_seconds}), or null for the operator's. */
    private Duration retention(ObjectNode body) {
        JsonNode value = body.get("retention_seconds");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ApiException.badRequest("retention_seconds must be a whole number of seconds", "retention_seconds");
        }
        return tasks.checkRetention(value.asLong());
    }

    /** What a submit of this body would cost, from the price table; validated as submit validates, nothing stored. */
    private void estimate(Context ctx) {
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        checkSubmitBody(body);
        JsonNode callback = body.get("callback_url");
        retention(body);
        var request = tasks.check(ApiServer.principal(ctx).tenantId(), body.get("model").asString(), body.get("input"),
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

    static String idempotencyKey(Context ctx) {
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
        String id = Params.path(ctx, "task_id");
        return tasks.find(principal.tenantId(), id)
                .orElseThrow(() -> ApiException.notFound("task " + (id.length() > 80 ? id.substring(0, 80) : id) + " not found"));
    }

    /**
     * An ended task's answer comes from {@link FinishedStatusCache} when this node has it (signed
     * again once its link expiry moves); anything else is read and rendered.
     */
    private void status(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        String id = Params.path(ctx, "task_id");
        long linkExpiry = taskView.linkExpiry();
        FinishedStatusCache.Entry hit = finished.get(principal.tenantId(), id);
        if (hit != null && hit.linkExpiry() == linkExpiry) {
            HttpJson.okBytes(ctx, hit.body());
            return;
        }
        if (hit != null) {
            String body = Json.write(HttpJson.envelope(taskView.render(hit.task(), null)));
            finished.resigned(hit, linkExpiry, body);
            ctx.status(200).contentType("application/json").result(body);
            return;
        }
        long readAt = finished.now();
        Task task = findOr404(ctx);
        String body = Json.write(HttpJson.envelope(taskView.render(task, tasks.queuePosition(task))));
        finished.put(task, linkExpiry, body, readAt);
        ctx.status(200).contentType("application/json").result(body);
    }

    private static final String STATUS_PATH = "/api/generate/status/";

    @Override
    public String pathPrefix() {
        return STATUS_PATH;
    }

    /** The status answer of an ended task of the principal's tenant, from {@link FinishedStatusCache}, while its links are current. */
    @Override
    public byte[] cachedAnswer(Principal principal, String path) {
        FinishedStatusCache.Entry hit = finished.get(principal.tenantId(), path.substring(STATUS_PATH.length()));
        return hit != null && hit.linkExpiry() == taskView.linkExpiry() ? hit.body() : null;
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

    /** The owner deletes an ended task's files; the answer is the status data, now without files. */
    private void deleteFiles(Context ctx) throws IOException {
        Principal principal = ApiServer.principal(ctx);
        Task before = findOr404(ctx);
        int count = before.files().size();
        Task after;
        try {
            after = tasks.deleteFiles(principal.tenantId(), before.id()).orElseThrow();
        } catch (TaskService.StillRunningException e) {
            throw new ApiException(409, "conflict_error", e.getMessage(), "task_id", null);
        }
        ObjectNode data = taskView.render(after, null);
        data.put("files_deleted", count);
        HttpJson.ok(ctx, data);
    }

    private void list(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        if (ctx.queryParam("ids") != null) {
            batch(ctx, principal);
            return;
        }
        TaskStatus status = null;
        String statusParam = Params.query(ctx, "status", 16);
        if (statusParam != null) {
            try {
                status = TaskStatus.fromWire(statusParam);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("status must be one of not_started, running, finished, failed", "status");
            }
        }
        String model = Params.query(ctx, "model", Params.SHORT_TEXT);
        if (model != null && catalog.find(model).isEmpty()) {
            throw ApiException.badRequest("model '" + (model.length() > 64 ? model.substring(0, 64) : model) + "' is not supported", "model");
        }
        int limit = Params.queryInt(ctx, "limit", 20, 1, MAX_PAGE);
        TaskService.Page page = tasks.list(principal.tenantId(), status, model, metadataFilter(ctx), Params.queryTime(ctx, "since"), Params.queryTime(ctx, "until"),
                cursor(Params.query(ctx, "cursor", 512)), limit);
        ObjectNode data = Json.object();
        var list = data.putArray("tasks");
        page.tasks().forEach(t -> list.add(taskView.render(t, null)));
        data.put("has_more", page.next() != null);
        data.put("next_cursor", page.next() == null ? null : encode(page.next()));
        HttpJson.ok(ctx, data);
    }

    /**
     * {@code ?ids=a,b,c}: up to 100 tasks in one read, in the list's shape (one page, newest first).
     * Ids that are unknown or another tenant's are absent rather than an error, so a client polling
     * many tasks learns nothing about ids it does not own.
     */
    private void batch(Context ctx, Principal principal) {
        for (String other : ctx.queryParamMap().keySet()) {
            if (!other.equals("ids")) {
                throw ApiException.badRequest("ids cannot be combined with " + clip(other) + "; it answers the named tasks in one page", "ids");
            }
        }
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (String value : ctx.queryParams("ids")) {
            for (String id : value.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.trim());
                }
            }
        }
        if (ids.isEmpty()) {
            throw ApiException.badRequest("ids must name at least one task id, separated by commas", "ids");
        }
        if (ids.size() > MAX_PAGE) {
            throw ApiException.badRequest("ids names " + ids.size() + " tasks; at most " + MAX_PAGE + " per call", "ids");
        }
        ObjectNode data = Json.object();
        var list = data.putArray("tasks");
        tasks.findMany(principal.tenantId(), ids).forEach(t -> list.add(taskView.render(t, tasks.queuePosition(t))));
        data.put("has_more", false);
        data.putNull("next_cursor");
        HttpJson.ok(ctx, data);
    }

    /** {@code ?metadata.<key>=<value>}: one key, matched exactly. */
    private static TaskStore.MetadataFilter metadataFilter(Context ctx) {
        TaskStore.MetadataFilter filter = null;
        for (var entry : ctx.queryParamMap().entrySet()) {
            if (!entry.getKey().startsWith("metadata.")) {
                continue;
            }
            String key = entry.getKey().substring("metadata.".length());
            if (filter != null || entry.getValue().size() != 1) {
                throw ApiException.badRequest("the task list filters by one metadata key and value at a time", clip(entry.getKey()));
            }
            if (key.isEmpty() || key.length() > Metadata.MAX_KEY_CHARS) {
                throw ApiException.badRequest("metadata keys are 1 to " + Metadata.MAX_KEY_CHARS + " characters", clip(entry.getKey()));
            }
            filter = new TaskStore.MetadataFilter(key, entry.getValue().getFirst());
        }
        return filter;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) : s;
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
        // A forged cursor can decode to any text: its id goes through the same checks as any client text.
        return Params.decoded("cursor", () -> {
            String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\.", 3);
            long nanos = Long.parseLong(parts[1]);
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IllegalArgumentException("nanos out of range");
            }
            Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
            return new TaskStore.Cursor(at, Params.text(parts[2], "cursor", Params.SHORT_TEXT));
        });
    }

    /**
     * Server-sent events: one {@code status} event (the status data) whenever status, progress or
     * queue position changes, ending after the terminal state. Comments keep idle connections open.
     */
    private void events(Context ctx) throws IOException, InterruptedException {
        try (var held = tasks.hold()) {
            stream(ctx, findOr404(ctx));
        }
    }

    private void stream(Context ctx, Task task) throws IOException, InterruptedException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        String lastState = null;
        // A transport timer, not task time: the monotonic clock, so an injected test clock cannot stall it.
        long lastWrite = System.nanoTime();
        while (true) {
            Long position = tasks.queuePosition(task);
            String state = task.status().wire() + "/" + task.progress() + "/" + position;
            if (!state.equals(lastState)) {
                String json = Json.write(taskView.render(task, position));
                out.write(("event: status\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastState = state;
                lastWrite = System.nanoTime();
            } else if (System.nanoTime() - lastWrite >= KEEP_ALIVE.toNanos()) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastWrite = System.nanoTime();
            }
            if (task.status().isTerminal()) {
                return;
            }
            if (tasks.draining()) {
                // This node is stopping: say so and end the stream; EventSource reconnects after `retry`
                // ms, and the balancer sends it to a node that is still up.
                out.write(("event: reconnect\nretry: 1000\ndata: {\"reason\":\"node_shutting_down\",\"task_id\":\"" + task.id()
                        + "\"}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
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
