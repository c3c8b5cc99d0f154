package dev.pictor.api;

import dev.pictor.common.WireTime;

import dev.pictor.common.Json;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.Principal;
import dev.pictor.task.TaskView;
import dev.pictor.webhook.WebhookAttempt;
import dev.pictor.webhook.WebhookEvent;
import dev.pictor.webhook.WebhookSecrets;
import dev.pictor.webhook.WebhookStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Webhook visibility and control, for the caller's tenant: its signing secret, its events with every
 * attempt, and redelivery of one event or of all dead ones since a time. Rotation is an admin call.
 */
public final class WebhookRoutes implements RouteGroup {
    private static final Set<String> STATUSES = Set.of("pending", "failing", "delivered", "dead", "disabled");
    private static final int MAX_LIST = 500;

    private final WebhookStore store;
    private final WebhookSecrets secrets;
    private final Duration defaultOverlap;
    private final Clock clock;
    private final Runnable wake;
    private final ApiKeys keys;
    private final long maxBodyBytes;

    public WebhookRoutes(WebhookStore store, WebhookSecrets secrets, Duration defaultOverlap, Clock clock, Runnable wake, ApiKeys keys,
                  long maxBodyBytes) {
        this.store = store;
        this.secrets = secrets;
        this.defaultOverlap = defaultOverlap;
        this.clock = clock;
        this.wake = wake;
        this.keys = keys;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/webhooks/secret", this::secret);
        routes.get("/api/webhooks/events", this::list);
        routes.get("/api/webhooks/events/{event_id}", this::one);
        routes.post("/api/webhooks/events/{event_id}/redeliver", this::redeliverOne);
        routes.post("/api/webhooks/redeliver", this::redeliverMany);
        routes.post("/api/admin/webhooks/secret/rotate", this::rotate);
    }

    private void secret(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        HttpJson.ok(ctx, secretsJson(p.tenantId()));
    }

    private ObjectNode secretsJson(String tenantId) {
        List<WebhookSecrets.Secret> active = secrets.active(tenantId);
        ObjectNode data = Json.object();
        data.put("secret", active.getFirst().secret());
        var all = data.putArray("active_secrets");
        for (WebhookSecrets.Secret s : active) {
            all.addObject().put("secret", s.secret()).put("created_time", WireTime.apidot(s.createdAt()))
                    .put("valid_until", WireTime.apidot(s.retireAt()));
        }
        return data;
    }

    private void list(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        String status = ctx.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()), "status");
        }
        int limit = intParam(ctx, "limit", 100);
        List<WebhookEvent> events = store.list(p.tenantId(), ctx.queryParam("task_id"), status, timeParam(ctx.queryParam("since"), "since"), limit);
        ObjectNode data = Json.object();
        var list = data.putArray("events");
        events.forEach(e -> list.add(eventJson(e)));
        HttpJson.ok(ctx, data);
    }

    private void one(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        WebhookEvent e = store.find(p.tenantId(), ctx.pathParam("event_id"))
                .orElseThrow(() -> ApiException.notFound("webhook event not found"));
        HttpJson.ok(ctx, eventJson(e));
    }

    private void redeliverOne(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        WebhookEvent e = store.redeliver(p.tenantId(), ctx.pathParam("event_id"), clock.instant())
                .orElseThrow(() -> ApiException.notFound("webhook event not found"));
        wake.run();
        HttpJson.ok(ctx, eventJson(e));
    }

    private void redeliverMany(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        String status = body.has("status") ? body.get("status").asString() : WebhookEvent.DEAD;
        if (!Set.of(WebhookEvent.DEAD, WebhookEvent.DISABLED, "failing").contains(status)) {
            throw ApiException.badRequest("status must be dead, disabled or failing", "status");
        }
        JsonNode since = body.get("since");
        if (since == null || !since.isString()) {
            throw ApiException.badRequest("since is required: an ISO-8601 time such as 2026-11-21T00:00:00Z", "since");
        }
        Instant from = timeParam(since.asString(), "since");
        List<String> ids = store.idsFor(p.tenantId(), status, from);
        Instant now = clock.instant();
        ids.forEach(id -> store.redeliver(p.tenantId(), id, now));
        wake.run();
        ObjectNode data = Json.object().put("redelivered", ids.size());
        var list = data.putArray("event_ids");
        ids.forEach(list::add);
        HttpJson.ok(ctx, data);
    }

    private void rotate(Context ctx) {
        ApiServer.requireAdmin(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        String tenantId = body.has("tenant_id") ? body.get("tenant_id").asString() : ApiKeys.DEFAULT_TENANT;
        if (keys.tenant(tenantId).isEmpty()) {
            throw ApiException.badRequest("tenant " + tenantId + " does not exist", "tenant_id");
        }
        Duration overlap = defaultOverlap;
        JsonNode hours = body.get("overlap_hours");
        if (hours != null && !hours.isNull()) {
            if (!hours.isIntegralNumber() || hours.intValue() < 0 || hours.intValue() > 24 * 30) {
                throw ApiException.badRequest("overlap_hours must be a whole number from 0 to 720", "overlap_hours");
            }
            overlap = Duration.ofHours(hours.intValue());
        }
        secrets.rotate(tenantId, overlap);
        HttpJson.ok(ctx, secretsJson(tenantId));
    }

    private ObjectNode eventJson(WebhookEvent e) {
        ObjectNode n = Json.object()
                .put("id", e.id())
                .put("task_id", e.taskId())
                .put("url", e.url())
                .put("status", e.status())
                .put("attempts", e.attempts())
                .put("created_time", WireTime.apidot(e.createdAt()))
                .put("next_attempt_time", WireTime.apidot(e.nextAttemptAt()))
                .put("delivered_time", WireTime.apidot(e.deliveredAt()))
                .put("last_error", e.lastError());
        n.set("last_http_status", e.lastStatus() == null ? null : Json.MAPPER.getNodeFactory().numberNode(e.lastStatus()));
        var attempts = n.putArray("attempt_log");
        for (WebhookAttempt a : store.attempts(e.id())) {
            ObjectNode row = attempts.addObject()
                    .put("attempt", a.attempt())
                    .put("time", WireTime.apidot(a.attemptedAt()))
                    .put("latency_ms", a.latencyMs())
                    .put("response_excerpt", a.responseExcerpt())
                    .put("error", a.error());
            row.set("http_status", a.httpStatus() == null ? null : Json.MAPPER.getNodeFactory().numberNode(a.httpStatus()));
        }
        return n;
    }

    private static int intParam(Context ctx, String name, int fallback) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > MAX_LIST) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number from 1 to " + MAX_LIST, name);
        }
    }

    private static Instant timeParam(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return WireTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a UTC time such as 2026-11-21T00:00:00 or 2026-11-21T00:00:00Z", name);
        }
    }
}
