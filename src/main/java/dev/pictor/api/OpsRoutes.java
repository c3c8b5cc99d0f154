package dev.pictor.api;

import dev.pictor.common.Json;
import dev.pictor.db.Database;
import dev.pictor.metrics.Metrics;
import dev.pictor.storage.BlobStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Liveness, readiness and Prometheus metrics; unauthenticated, for orchestrators and scrapers. */
public final class OpsRoutes implements RouteGroup {
    private final Database database;
    private final Metrics metrics;
    private final BlobStore blobs;
    private final java.util.function.BooleanSupplier draining;

    /** {@code draining}: the node is stopping, so it is not ready whatever its database and store say. */
    public OpsRoutes(Database database, Metrics metrics, BlobStore blobs, java.util.function.BooleanSupplier draining) {
        this.database = database;
        this.metrics = metrics;
        this.blobs = blobs;
        this.draining = draining;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> HttpJson.write(ctx, 200, Json.object().put("status", "ok")));
        routes.get("/readyz", this::ready);
        routes.get("/metrics", this::metrics);
    }

    /**
     * Ready when both the database and the blob store answer: a node that cannot store outputs would
     * only fail the tasks it claims, so the balancer should send traffic elsewhere.
     */
    private void ready(Context ctx) {
        if (draining.getAsBoolean()) {
            HttpJson.write(ctx, 503, Json.object().put("status", "draining"));
            return;
        }
        boolean db = database.isReachable();
        boolean storage = blobs.isReachable();
        boolean ready = db && storage;
        HttpJson.write(ctx, ready ? 200 : 503, Json.object().put("status", ready ? "ready" : "unavailable")
                .put("database", db).put("storage", storage));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
