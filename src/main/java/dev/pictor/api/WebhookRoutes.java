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
import java.util.List;
import java.util.Set;
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
        String status = Params.query(ctx, "status", 16);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()), "status");
        }
        int limit = Params.queryInt(ctx, "limit", 100, 1, MAX_LIST);
        List<WebhookEvent> events = store.list(p.tenantId(), Params.query(ctx, "task_id", Params.SHORT_TEXT), status,
                Params.queryTime(ctx, "since"), limit);
        ObjectNode data = Json.object();
        var list = data.putArray("events");
        events.forEach(e -> list.add(eventJson(e)));
        HttpJson.ok(ctx, data);
    }

    private void one(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        WebhookEvent e = store.find(p.tenantId(), Params.path(ctx, "event_id"))
                .orElseThrow(() -> ApiException.notFound("webhook event not found"));
        HttpJson.ok(ctx, eventJson(e));
    }

    private void redeliverOne(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        WebhookEvent e = store.redeliver(p.tenantId(), Params.path(ctx, "event_id"), clock.instant())
                .orElseThrow(() -> ApiException.notFound("webhook event not found"));
        wake.run();
        HttpJson.ok(ctx, eventJson(e));
    }

    private void redeliverMany(Context ctx) {
        Principal p = ApiServer.principal(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        String status = Params.string(body, "status", WebhookEvent.DEAD, 16);
        if (!Set.of(WebhookEvent.DEAD, WebhookEvent.DISABLED, "failing").contains(status)) {
            throw ApiException.badRequest("status must be dead, disabled or failing", "status");
        }
        Instant from = Params.time(body, "since");
        if (from == null) {
            throw ApiException.badRequest("since is required: a UTC time such as 2026-11-21T00:00:00 or 2026-11-21T00:00:00Z", "since");
        }
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
        var p = ApiServer.requireAdmin(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        // a tenant admin rotates its own tenant's secret; only an operator may name another tenant
        String tenantId = Params.string(body, "tenant_id", p.operator() ? ApiKeys.DEFAULT_TENANT : p.tenantId(), Params.SHORT_TEXT);
        if (!p.mayManage(tenantId)) {
            throw new ApiException(403, "permission_error", "a tenant admin manages only its own tenant (" + p.tenantId() + ")", "tenant_id", null);
        }
        if (keys.tenant(tenantId).isEmpty()) {
            throw ApiException.badRequest("tenant " + tenantId + " does not exist", "tenant_id");
        }
        Duration overlap = defaultOverlap;
        Integer hours = Params.integer(body, "overlap_hours", 0, 24 * 30);
        if (hours != null) {
            overlap = Duration.ofHours(hours);
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
}
