package dev.pictor.api;

import dev.pictor.auth.ApiKeyInfo;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.CreatedKey;
import dev.pictor.auth.KeyGate;
import dev.pictor.auth.KeyLimits;
import dev.pictor.auth.Principal;
import dev.pictor.auth.Scope;
import dev.pictor.auth.Tenant;
import dev.pictor.billing.Credits;
import dev.pictor.billing.Ledger;
import dev.pictor.common.Json;
import dev.pictor.common.WireTime;
import dev.pictor.db.WindowCounters.Window;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API: tenants and their API keys with their limits. Operators act on every tenant;
 * a tenant admin sees and changes only its own tenant's keys, and naming another tenant is a 403
 * (another tenant's key id is a 404, as an unknown one). Creating tenants is the operator's.
 */
public final class AdminRoutes implements RouteGroup {
    private static final String ID_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}";

    private final ApiKeys keys;
    private final KeyGate gate;
    private final Ledger ledger;
    private final Clock clock;
    private final long maxBodyBytes;

    public AdminRoutes(ApiKeys keys, KeyGate gate, Ledger ledger, Clock clock, long maxBodyBytes) {
        this.keys = keys;
        this.gate = gate;
        this.ledger = ledger;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/admin/tenants", this::listTenants);
        routes.post("/api/admin/tenants", this::createTenant);
        routes.get("/api/admin/keys", this::listKeys);
        routes.post("/api/admin/keys", this::createKey);
        routes.patch("/api/admin/keys/{key_id}", this::updateKey);
        routes.post("/api/admin/keys/{key_id}/revoke", this::revokeKey);
        routes.delete("/api/admin/keys/{key_id}", this::revokeKey);
    }

    private void listTenants(Context ctx) {
        Principal p = ApiServer.requireAdmin(ctx);
        ObjectNode data = Json.object();
        var list = data.putArray("tenants");
        keys.tenants().stream().filter(t -> p.mayManage(t.id())).forEach(t -> list.add(tenantJson(t)));
        HttpJson.ok(ctx, data);
    }

    private void createTenant(Context ctx) {
        ApiServer.requireOperator(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        String id = Params.requiredString(body, "id", Params.SHORT_TEXT);
        if (!id.matches(ID_PATTERN)) {
            throw ApiException.badRequest("id must be 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit", "id");
        }
        String name = Params.string(body, "name", id, Params.SHORT_TEXT);
        if (keys.tenant(id).isPresent()) {
            throw new ApiException(409, "conflict_error", "tenant " + id + " already exists", "id", null);
        }
        Ledger.Billing billing = Ledger.Billing.UNLIMITED;
        if (body.has("billing") && !body.get("billing").isNull()) {
            try {
                billing = Ledger.parse(body.get("billing").asString(""));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("billing must be prepaid or unlimited", "billing");
            }
        }
        ObjectNode created = tenantJson(keys.createTenant(id, name));
        ledger.setBilling(id, billing);
        HttpJson.ok(ctx, created.put("billing", Ledger.wire(billing)));
    }

    private void listKeys(Context ctx) {
        Principal p = ApiServer.requireAdmin(ctx);
        String tenant = Params.query(ctx, "tenant_id", Params.SHORT_TEXT);
        if (tenant != null) {
            requireManages(p, tenant, "tenant_id");
        } else if (!p.operator()) {
            tenant = p.tenantId();
        }
        ObjectNode data = Json.object();
        var list = data.putArray("keys");
        Map<String, Long> requests = gate.requestsThisHour();
        Instant now = clock.instant();
        keys.list(tenant).forEach(k -> list.add(keyJson(k, ledger, requests, now)));
        HttpJson.ok(ctx, data);
    }

    private void createKey(Context ctx) {
        Principal p = ApiServer.requireAdmin(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        KeyBodies.onlyFields(body, KeyBodies.CREATE_FIELDS);
        // A tenant admin's keys are its own tenant's unless it names one (which must be its own).
        String tenantId = Params.string(body, "tenant_id", p.operator() ? ApiKeys.DEFAULT_TENANT : p.tenantId(), Params.SHORT_TEXT);
        requireManages(p, tenantId, "tenant_id");
        if (keys.tenant(tenantId).isEmpty()) {
            throw ApiException.badRequest("tenant " + tenantId + " does not exist; create it with POST /api/admin/tenants", "tenant_id");
        }
        String name = Params.string(body, "name", "", Params.SHORT_TEXT);
        Scope scope = scope(body, p);
        KeyLimits limits = KeyBodies.limits(body, KeyLimits.NONE);
        CreatedKey created = keys.create(tenantId, name, scope, limits);
        ObjectNode data = keyJson(created.info(), ledger, Map.of(), clock.instant());
        data.put("key", created.secret());
        data.put("note", "store this key now: it is shown only once");
        HttpJson.ok(ctx, data);
    }

    /** {@code scope} wins over the older {@code admin} flag; only an operator may make an operator key. */
    private static Scope scope(ObjectNode body, Principal p) {
        boolean admin = Params.bool(body, "admin", false);
        String wire = Params.string(body, "scope", null, 32);
        Scope scope;
        if (wire == null) {
            scope = admin ? Scope.TENANT_ADMIN : Scope.TENANT;
        } else {
            try {
                scope = Scope.parse(wire);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage(), "scope");
            }
            if (body.has("admin") && !body.get("admin").isNull() && admin != scope.admin()) {
                throw ApiException.badRequest("admin is " + admin + " but scope " + wire + (scope.admin() ? " is" : " is not") + " an admin scope", "admin");
            }
        }
        if (scope == Scope.OPERATOR && !p.operator()) {
            throw ApiException.forbidden("only an operator may create operator keys");
        }
        return scope;
    }

    private void updateKey(Context ctx) {
        Principal p = ApiServer.requireAdmin(ctx);
        ApiKeyInfo before = manageableKey(p, Params.path(ctx, "key_id"));
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        KeyBodies.onlyFields(body, KeyBodies.PATCH_FIELDS);
        String name = Params.string(body, "name", null, Params.SHORT_TEXT);
        KeyLimits limits = KeyBodies.limits(body, before.limits());
        ApiKeyInfo after = keys.update(before.id(), name, limits).orElseThrow(() -> ApiException.notFound("key " + before.id() + " not found"));
        if (limits.hasCreditLimit()) {
            ledger.seedKeyCounters(after.id(), clock.instant());
        }
        HttpJson.ok(ctx, keyJson(after, ledger, gate.requestsThisHour(), clock.instant()));
    }

    private void revokeKey(Context ctx) {
        Principal p = ApiServer.requireAdmin(ctx);
        ApiKeyInfo before = manageableKey(p, Params.path(ctx, "key_id"));
        ApiKeyInfo info = keys.revoke(before.id()).orElseThrow(() -> ApiException.notFound("key " + before.id() + " not found"));
        HttpJson.ok(ctx, keyJson(info, ledger, Map.of(), clock.instant()));
    }

    /** The key, if this admin may change it: a tenant admin's own tenant's non-operator keys; anything else is "not found". */
    private ApiKeyInfo manageableKey(Principal p, String keyId) {
        return keys.find(keyId)
                .filter(k -> p.operator() || (p.mayManage(k.tenantId()) && k.scope() != Scope.OPERATOR))
                .orElseThrow(() -> ApiException.notFound("key " + keyId + " not found"));
    }

    private static void requireManages(Principal p, String tenantId, String field) {
        if (!p.mayManage(tenantId)) {
            throw new ApiException(403, "permission_error", "a tenant admin manages only its own tenant (" + p.tenantId() + ")", field, null);
        }
    }

    private static ObjectNode tenantJson(Tenant t) {
        return Json.object().put("id", t.id()).put("name", t.name()).put("created_time", WireTime.apidot(t.createdAt()));
    }

    /**
     * A key with its limits and live counters: {@code hourly_used} and {@code daily_used} are the
     * credits of tasks it submitted in the current UTC hour and day (charged, or reserved while
     * running); {@code hourly_requests} is counted only for keys with a rate limit (null otherwise).
     */
    static ObjectNode keyJson(ApiKeyInfo k, Ledger ledger, Map<String, Long> requestsThisHour, Instant now) {
        ObjectNode n = Json.object()
                .put("id", k.id())
                .put("tenant_id", k.tenantId())
                .put("prefix", k.prefix())
                .put("name", k.name())
                .put("admin", k.admin())
                .put("scope", k.scope().wire());
        limitsJson(n, k.limits());
        n.put("hourly_used", Credits.credits(ledger.keySpent(k.id(), Window.HOUR, now)));
        n.put("daily_used", Credits.credits(ledger.keySpent(k.id(), Window.DAY, now)));
        if (k.limits().rateLimit() > 0) {
            n.put("hourly_requests", requestsThisHour.getOrDefault(k.id(), 0L));
        } else {
            n.putNull("hourly_requests");
        }
        return n.put("created_time", WireTime.apidot(k.createdAt()))
                .put("last_used_time", WireTime.apidot(k.lastUsedAt()))
                .put("last_used_at", WireTime.apidot(k.lastUsedAt()))
                .put("revoked_time", WireTime.apidot(k.revokedAt()));
    }

    static void limitsJson(ObjectNode n, KeyLimits limits) {
        n.put("rate_limit", limits.rateLimit());
        if (limits.ipWhitelist().isEmpty()) {
            n.putNull("ip_whitelist");
        } else {
            var list = n.putArray("ip_whitelist");
            limits.ipWhitelist().forEach(r -> list.add(r.text()));
        }
        n.put("hourly_credit_limit", Credits.credits(limits.hourlyCreditLimit()));
        n.put("daily_credit_limit", Credits.credits(limits.dailyCreditLimit()));
    }
}
