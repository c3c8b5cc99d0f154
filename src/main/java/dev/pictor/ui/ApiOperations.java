package dev.pictor.ui;

import java.util.List;

/**
 * Every route Pictor serves, with what the OpenAPI document says about it. When a route is added to
 * the server it must be added here too: {@code OpenApiTest} fails on any registered route missing.
 */
final class ApiOperations {
    enum Auth { NONE, KEY, ADMIN, SIGNED }

    record Op(String method, String path, String tag, Auth auth, String summary, List<String> query, String body, String bodyType,
              String response, String responseType, List<String> errors) {
    }

    private static final List<String> KEYED = List.of("400", "401", "404");

    static final List<Op> ALL = List.of(
            json("POST", "/api/generate/submit", "APIDot", Auth.KEY, "Submit a generation task (headers Idempotency-Key, Prefer: wait=N)",
                    List.of(), "SubmitRequest", "task_id, status not_started (or the status body with Prefer: wait)",
                    List.of("400", "401", "409", "413", "503")),
            json("POST", "/api/generate/estimate", "APIDot", Auth.KEY, "What a submit of this body would cost in credits; stores nothing",
                    List.of(), "SubmitRequest", "model, credits, usd", List.of("400", "401", "413")),
            json("GET", "/api/account", "Credits", Auth.KEY, "The caller's tenant: billing, balance, open reservations", List.of(),
                    null, "tenant_id, billing, balance, reserved", List.of("401")),
            json("POST", "/api/admin/tenants/{tenant_id}/credits", "Credits", Auth.ADMIN, "Top up (amount > 0) or adjust a balance",
                    List.of(), "CreditRequest", "The account after it", List.of("400", "401", "403", "404")),
            new Op("GET", "/api/usage", "Credits", Auth.KEY, "Tasks, images, credits charged and refunded and upstream cost per model, key "
                    + "or UTC day (the caller's tenant; every tenant, or tenant_id, for admin keys); CSV with Accept: text/csv",
                    List.of("since", "until", "group_by", "tenant_id"), null, null,
                    "since, until, group_by, tenant_id, groups, totals", "application/json", List.of("400", "401", "403")),
            json("GET", "/api/account/ledger", "Credits", Auth.KEY, "The caller's tenant's ledger rows, newest first (reserve, settle, "
                    + "refund, topup, adjustment)", List.of("limit", "before"), null, "tenant_id, entries, has_more", List.of("400", "401")),
            json("GET", "/api/admin/upstreams", "Admin", Auth.ADMIN, "Each upstream's circuit state, recent error rate and latency on this node",
                    List.of(), null, "window_seconds, scope, upstreams", List.of("401", "403")),
            json("GET", "/api/generate/status/{task_id}", "APIDot", Auth.KEY, "A task's status, files, timings and attempts", List.of(),
                    null, "The status body", KEYED),
            json("POST", "/api/generate/cancel/{task_id}", "APIDot", Auth.KEY, "Cancel a task that has not ended (idempotent)", List.of(),
                    null, "The status body with cancel_result", KEYED),
            json("GET", "/api/generate/tasks", "APIDot", Auth.KEY, "The tenant's tasks, newest first",
                    List.of("status", "model", "since", "until", "limit", "cursor", "ids"), null,
                    "tasks, has_more, next_cursor (ids=a,b,c: up to 100 named tasks; metadata.<key>=<value> filters by one key)", KEYED),
            json("DELETE", "/api/generate/tasks/{task_id}/files", "APIDot", Auth.KEY, "Delete an ended task's files", List.of(), null,
                    "The status body without files, and files_deleted", List.of("401", "404", "409")),
            new Op("GET", "/api/generate/events/{task_id}", "APIDot", Auth.KEY, "Server-sent status events until the task ends", List.of(),
                    null, null, "event: status lines carrying the status data", "text/event-stream", KEYED),
            json("GET", "/api/models", "APIDot", Auth.NONE, "Every model with fields, types, enums, limits, defaults, rules and price", List.of(),
                    null, "models", List.of()),
            new Op("POST", "/v1/images/generations", "OpenAI", Auth.KEY, "OpenAI Images: generate", List.of(), "OpenAiBody",
                    "application/json", "OpenAI images response", "application/json", List.of("400", "401", "413", "503")),
            new Op("POST", "/v1/images/edits", "OpenAI", Auth.KEY, "OpenAI Images: edit (multipart or JSON)", List.of(), "OpenAiBody",
                    "application/json", "OpenAI images response", "application/json", List.of("400", "401", "413", "503")),
            new Op("GET", "/v1/images/tasks/{task_id}", "OpenAI", Auth.KEY, "A task submitted with Prefer: respond-async", List.of("response_format"),
                    null, null, "202 while it runs, the OpenAI images response once it finished", "application/json", List.of("400", "401", "404")),
            new Op("GET", "/v1/models", "OpenAI", Auth.KEY, "OpenAI model list", List.of(), null, null, "OpenAI model list",
                    "application/json", List.of("401")),
            json("GET", "/api/webhooks/secret", "Webhooks", Auth.KEY, "The tenant's signing secret(s)", List.of(), null,
                    "secret, active_secrets", List.of("401")),
            json("GET", "/api/webhooks/events", "Webhooks", Auth.KEY, "Webhook events with every attempt",
                    List.of("task_id", "status", "since", "limit"), null, "events", KEYED),
            json("GET", "/api/webhooks/events/{event_id}", "Webhooks", Auth.KEY, "One webhook event with every attempt", List.of(), null,
                    "The event", KEYED),
            json("POST", "/api/webhooks/events/{event_id}/redeliver", "Webhooks", Auth.KEY, "Redeliver one event", List.of(), null,
                    "The event, pending again", KEYED),
            json("POST", "/api/webhooks/redeliver", "Webhooks", Auth.KEY, "Redeliver every dead (or failing, disabled) event since a time",
                    List.of(), "RedeliverRequest", "redelivered, event_ids", KEYED),
            json("POST", "/api/admin/webhooks/secret/rotate", "Admin", Auth.ADMIN, "Rotate a tenant's signing secret with an overlap",
                    List.of(), "RotateRequest", "secret, active_secrets", List.of("400", "401", "403")),
            json("GET", "/api/admin/tenants", "Admin", Auth.ADMIN, "Tenants", List.of(), null, "tenants", List.of("401", "403")),
            json("POST", "/api/admin/tenants", "Admin", Auth.ADMIN, "Create a tenant", List.of(), "TenantRequest", "The tenant",
                    List.of("400", "401", "403", "409")),
            json("GET", "/api/admin/keys", "Admin", Auth.ADMIN, "API keys", List.of("tenant_id"), null, "keys", List.of("401", "403")),
            json("POST", "/api/admin/keys", "Admin", Auth.ADMIN, "Create an API key (its secret is in this answer only)", List.of(),
                    "KeyRequest", "The key with its secret", List.of("400", "401", "403")),
            json("PATCH", "/api/admin/keys/{key_id}", "Admin", Auth.ADMIN, "Change a key's name and limits (at once on every node)",
                    List.of(), "KeyLimits", "The key with its limits and counters", List.of("400", "401", "403", "404")),
            json("POST", "/api/admin/keys/{key_id}/revoke", "Admin", Auth.ADMIN, "Revoke a key", List.of(), null, "The revoked key",
                    List.of("401", "403", "404")),
            json("DELETE", "/api/admin/keys/{key_id}", "Admin", Auth.ADMIN, "Revoke a key", List.of(), null, "The revoked key",
                    List.of("401", "403", "404")),
            new Op("GET", "/files/{task_id}/{name}", "Files", Auth.SIGNED, "Download an output (the signature is the permission)",
                    List.of("expires", "sig"), null, null, "The image bytes", "image/*", List.of("403", "404")),
            new Op("GET", "/healthz", "Operations", Auth.NONE, "Liveness", List.of(), null, null, "status ok", "application/json", List.of()),
            new Op("GET", "/readyz", "Operations", Auth.NONE, "Readiness (database reachable)", List.of(), null, null, "status",
                    "application/json", List.of("503")),
            new Op("GET", "/metrics", "Operations", Auth.NONE, "Prometheus metrics", List.of(), null, null, "Prometheus text", "text/plain",
                    List.of()),
            new Op("GET", "/openapi.json", "Operations", Auth.NONE, "This document", List.of(), null, null, "OpenAPI 3.1",
                    "application/json", List.of()),
            page("/docs", "API reference viewer"),
            page("/", "The dashboard"),
            page("/ui", "The dashboard"),
            new Op("GET", "/ui/assets/{name}", "Dashboard", Auth.NONE, "Dashboard scripts and styles", List.of(), null, null, "The file",
                    "text/plain", List.of("404")),
            json("POST", "/ui/session", "Dashboard", Auth.NONE, "Sign in with an API key: sets the HttpOnly session cookie", List.of(),
                    "SessionRequest", "signed_in, tenant_id, key_id, admin, csrf_token, expires_time", List.of("400", "401", "413")),
            json("GET", "/ui/session", "Dashboard", Auth.NONE, "The current session (from the cookie), or signed_in false", List.of(),
                    null, "signed_in, tenant_id, key_id, admin, csrf_token, expires_time", List.of()),
            json("DELETE", "/ui/session", "Dashboard", Auth.NONE, "Sign out (needs X-CSRF-Token)", List.of(), null, "signed_out",
                    List.of("403")),
            json("GET", "/ui/model-routes", "Dashboard", Auth.NONE, "The upstreams serving each model, in fallback order", List.of(),
                    null, "models: {id: [upstream, ...]}", List.of()));

    private ApiOperations() {
    }

    private static Op json(String method, String path, String tag, Auth auth, String summary, List<String> query, String body,
                           String response, List<String> errors) {
        return new Op(method, path, tag, auth, summary, query, body, "application/json", response, "application/json", errors);
    }

    private static Op page(String path, String summary) {
        return new Op("GET", path, "Dashboard", Auth.NONE, summary, List.of(), null, null, "HTML", "text/html", List.of());
    }
}
