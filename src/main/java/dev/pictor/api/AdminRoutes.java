package dev.pictor.api;

import dev.pictor.common.WireTime;

import dev.pictor.common.Json;
import dev.pictor.auth.ApiKeyInfo;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.CreatedKey;
import dev.pictor.auth.Tenant;
import dev.pictor.billing.Ledger;
import dev.pictor.task.TaskView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import tools.jackson.databind.node.ObjectNode;

/** The admin API (admin keys only): tenants and their API keys. */
public final class AdminRoutes implements RouteGroup {
    private static final String ID_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}";

    private final ApiKeys keys;
    private final Ledger ledger;
    private final long maxBodyBytes;

    public AdminRoutes(ApiKeys keys, Ledger ledger, long maxBodyBytes) {
        this.keys = keys;
        this.ledger = ledger;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/admin/tenants", this::listTenants);
        routes.post("/api/admin/tenants", this::createTenant);
        routes.get("/api/admin/keys", this::listKeys);
        routes.post("/api/admin/keys", this::createKey);
        routes.post("/api/admin/keys/{key_id}/revoke", this::revokeKey);
        routes.delete("/api/admin/keys/{key_id}", this::revokeKey);
    }

    private void listTenants(Context ctx) {
        ApiServer.requireAdmin(ctx);
        ObjectNode data = Json.object();
        var list = data.putArray("tenants");
        keys.tenants().forEach(t -> list.add(tenantJson(t)));
        HttpJson.ok(ctx, data);
    }

    private void createTenant(Context ctx) {
        ApiServer.requireAdmin(ctx);
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
        ApiServer.requireAdmin(ctx);
        String tenant = Params.query(ctx, "tenant_id", Params.SHORT_TEXT);
        ObjectNode data = Json.object();
        var list = data.putArray("keys");
        keys.list(tenant).forEach(k -> list.add(keyJson(k)));
        HttpJson.ok(ctx, data);
    }

    private void createKey(Context ctx) {
        ApiServer.requireAdmin(ctx);
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        String tenantId = Params.string(body, "tenant_id", ApiKeys.DEFAULT_TENANT, Params.SHORT_TEXT);
        if (keys.tenant(tenantId).isEmpty()) {
            throw ApiException.badRequest("tenant " + tenantId + " does not exist; create it with POST /api/admin/tenants", "tenant_id");
        }
        String name = Params.string(body, "name", "", Params.SHORT_TEXT);
        CreatedKey created = keys.create(tenantId, name, Params.bool(body, "admin", false));
        ObjectNode data = keyJson(created.info());
        data.put("key", created.secret());
        data.put("note", "store this key now: it is shown only once");
        HttpJson.ok(ctx, data);
    }

    private void revokeKey(Context ctx) {
        ApiServer.requireAdmin(ctx);
        String keyId = Params.path(ctx, "key_id");
        ApiKeyInfo info = keys.revoke(keyId).orElseThrow(() -> ApiException.notFound("key " + keyId + " not found"));
        HttpJson.ok(ctx, keyJson(info));
    }

    private static ObjectNode tenantJson(Tenant t) {
        return Json.object().put("id", t.id()).put("name", t.name()).put("created_time", WireTime.apidot(t.createdAt()));
    }

    private static ObjectNode keyJson(ApiKeyInfo k) {
        return Json.object()
                .put("id", k.id())
                .put("tenant_id", k.tenantId())
                .put("prefix", k.prefix())
                .put("name", k.name())
                .put("admin", k.admin())
                .put("created_time", WireTime.apidot(k.createdAt()))
                .put("last_used_time", WireTime.apidot(k.lastUsedAt()))
                .put("revoked_time", WireTime.apidot(k.revokedAt()));
    }
}
