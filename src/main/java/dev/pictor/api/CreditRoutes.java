package dev.pictor.api;

import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.KeyGate;
import java.time.Clock;
import java.util.Map;
import dev.pictor.auth.Principal;
import dev.pictor.billing.Credits;
import dev.pictor.billing.Ledger;
import dev.pictor.common.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Balances: the caller's account, and the admin's top-ups and adjustments (docs/credits.md). */
public final class CreditRoutes implements RouteGroup {
    private final Ledger ledger;
    private final ApiKeys keys;
    private final KeyGate gate;
    private final Clock clock;
    private final long maxBodyBytes;

    public CreditRoutes(Ledger ledger, ApiKeys keys, KeyGate gate, Clock clock, long maxBodyBytes) {
        this.ledger = ledger;
        this.keys = keys;
        this.gate = gate;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/account", this::account);
        routes.post("/api/admin/tenants/{tenant_id}/credits", this::credit);
    }

    private void account(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        ObjectNode data = accountJson(ledger.account(principal.tenantId()));
        data.put("key_id", principal.keyId());
        // the calling key's limits and live counters, as GET /api/admin/keys shows them
        keys.find(principal.keyId()).ifPresent(k -> {
            ObjectNode key = AdminRoutes.keyJson(k, ledger, k.limits().rateLimit() > 0 ? gate.requestsThisHour() : Map.of(), clock.instant());
            data.set("key", key);
            for (String field : new String[] {"scope", "rate_limit", "ip_whitelist", "hourly_credit_limit", "daily_credit_limit",
                    "hourly_used", "daily_used", "hourly_requests", "last_used_at"}) {
                data.set(field, key.get(field));
            }
        });
        HttpJson.ok(ctx, data);
    }

    /** Operator only: a tenant admin cannot raise its own balance. */
    private void credit(Context ctx) {
        ApiServer.requireOperator(ctx);
        String tenantId = ctx.pathParam("tenant_id");
        if (keys.tenant(tenantId).isEmpty()) {
            throw ApiException.notFound("tenant " + (tenantId.length() > 64 ? tenantId.substring(0, 64) : tenantId) + " not found");
        }
        ObjectNode body = HttpJson.readObject(ctx, maxBodyBytes);
        JsonNode amount = body.get("amount");
        if (amount == null || !amount.isNumber() || amount.decimalValue().signum() == 0) {
            throw ApiException.badRequest("amount must be a non-zero number of credits (negative for an adjustment down)", "amount");
        }
        long millis;
        try {
            millis = Credits.millis(amount.decimalValue());
        } catch (ArithmeticException e) {
            throw ApiException.badRequest("amount takes at most three decimals", "amount");
        }
        JsonNode reason = body.get("reason");
        if (reason == null || !reason.isString() || reason.asString().isBlank() || reason.asString().length() > 500) {
            throw ApiException.badRequest("reason is required: 1-500 characters saying why the balance moves", "reason");
        }
        try {
            HttpJson.ok(ctx, accountJson(ledger.credit(tenantId, millis, reason.asString())));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage(), "amount");
        }
    }

    private static ObjectNode accountJson(Ledger.Account a) {
        ObjectNode n = Json.object();
        n.put("tenant_id", a.tenantId());
        n.put("billing", Ledger.wire(a.billing()));
        n.put("balance", Credits.credits(a.balanceMillis()));
        n.put("reserved", Credits.credits(a.reservedMillis()));
        n.put("usd_per_credit", new BigDecimal("0.005"));
        return n;
    }
}
