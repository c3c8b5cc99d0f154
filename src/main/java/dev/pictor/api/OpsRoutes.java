package dev.pictor.api;

import dev.pictor.common.Json;
import dev.pictor.db.Database;
import dev.pictor.metrics.Metrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Liveness, readiness and Prometheus metrics; unauthenticated, for orchestrators and scrapers. */
public final class OpsRoutes implements RouteGroup {
    private final Database database;
    private final Metrics metrics;

    public OpsRoutes(Database database, Metrics metrics) {
        this.database = database;
        this.metrics = metrics;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> HttpJson.write(ctx, 200, Json.object().put("status", "ok")));
        routes.get("/readyz", this::ready);
        routes.get("/metrics", this::metrics);
    }

    private void ready(Context ctx) {
        boolean db = database.isReachable();
        HttpJson.write(ctx, db ? 200 : 503, Json.object().put("status", db ? "ready" : "unavailable").put("database", db));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
