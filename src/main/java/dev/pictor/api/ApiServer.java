package dev.pictor.api;

import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.ClientAddresses;
import dev.pictor.auth.KeyGate;
import dev.pictor.billing.CreditLimitException;
import java.net.InetAddress;
import java.util.Collections;
import dev.pictor.auth.Principal;
import dev.pictor.catalog.InvalidInputException;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStore;
import dev.pictor.ui.UiRoutes;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP surface of Pictor on one Javalin server with virtual threads: the APIDot task API, the
 * admin API, signed file downloads and operations endpoints. Errors of every kind leave in the same
 * envelope; an unexpected exception is logged and answered as a 500 without internals.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final Logger access = LoggerFactory.getLogger("pictor.access");
    private static final String PRINCIPAL = "pictor.principal";

    private final Javalin app;

    /**
     * @param maxUploadBytes the largest image in a multipart upload (the source-image limit); up to 16 per request
     * @param ui             the dashboard's routes and its session sign-in, which the key check also accepts
     * @param groups         every surface's routes, registered in this order behind the {@code /api} and {@code /v1} key check
     */
    public ApiServer(ServerSettings settings, long maxUploadBytes, ApiKeys keys, KeyGate gate, UiRoutes ui, List<RouteGroup> groups) {
        long maxBodyBytes = settings.maxBodyBytes();
        var addresses = new ClientAddresses(settings.trustedProxies());
        var requestIds = new RequestIds(() -> ThreadLocalRandom.current().nextLong());
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            // JSON bodies are capped by HttpJson; this cap is for multipart uploads (up to 16 images).
            config.http.maxRequestSize = Math.max(maxBodyBytes, 16 * maxUploadBytes);
            config.jetty.multipartConfig.maxFileSize(maxUploadBytes, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(Math.max(maxBodyBytes, 16 * maxUploadBytes), SizeUnit.BYTES);
            // Images are already compressed and JSON bodies are small; gzip would cost CPU for nothing.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            JettyErrors.install(config.jetty, settings.headerTimeout());
            // Clients and proxies build paths like //api/generate/submit from a base URL with a trailing slash.
            config.router.treatMultipleSlashesAsSingleSlash = true;
            config.requestLogger.http((ctx, ms) -> logAccess(ctx.method().name(), ctx.path(), ctx.status().getCode(), ms.longValue(), RequestIds.of(ctx)));
            // In front of the servlet context Javalin builds (it nests its context in the handler it finds).
            List<CachedAnswers> cached = groups.stream().filter(CachedAnswers.class::isInstance).map(CachedAnswers.class::cast).toList();
            config.jetty.modifyServer(server -> server.setHandler(new CachedAnswerHandler(keys, cached, requestIds)));
            // One before handler for every request, not one per path pattern: Javalin matches each
            // pattern's regex on every request, which cost more than the cached status read itself.
            config.routes.before(ctx -> {
                requestIds.assign(ctx);
                if (isKeyChecked(ctx.path())) {
                    // Task answers are per key and change until the task ends; no cache may keep or share them.
                    ctx.header("Cache-Control", "no-store");
                    authenticate(ctx, keys, gate, addresses, ui);
                }
            });
            groups.forEach(group -> group.register(config.routes));
            ui.register(config.routes);
            config.routes.exception(ApiException.class, (e, ctx) -> HttpJson.error(ctx, e));
            config.routes.exception(InvalidInputException.class, (e, ctx) -> HttpJson.error(ctx, ApiException.badRequest(e.getMessage(), e.field())));
            config.routes.exception(dev.pictor.billing.InsufficientCreditsException.class, (e, ctx) ->
                    HttpJson.error(ctx, new ApiException(402, "insufficient_credits", e.getMessage(), null, null, "insufficient_credits")));
            config.routes.exception(CreditLimitException.class, (e, ctx) ->
                    HttpJson.error(ctx, new ApiException(429, "rate_limit_error", e.getMessage(), null, e.retryAfterSeconds(), "rate_limit_exceeded")));
            config.routes.exception(TaskService.NoRouteException.class, (e, ctx) -> HttpJson.error(ctx, ApiException.unavailable(e.getMessage())));
            config.routes.exception(TaskStore.IdempotencyConflict.class, (e, ctx) ->
                    HttpJson.error(ctx, new ApiException(409, "conflict_error", e.getMessage(), "Idempotency-Key", null)));
            config.routes.exception(UiRoutes.Rejected.class, (e, ctx) -> HttpJson.error(ctx, new ApiException(e.status(), e.type(), e.getMessage(), e.param(), null)));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> HttpJson.error(ctx, fromJavalin(e)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                HttpJson.error(ctx, new ApiException(500, "server_error", "internal server error", null, null));
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    HttpJson.error(ctx, ApiException.notFound("no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, ctx -> HttpJson.error(ctx, new ApiException(405, "invalid_request_error",
                    "method " + ctx.method() + " is not allowed on " + ctx.path(), null, null)));
        });
    }

    /** The access log line of a request: no query string, no headers, nothing a caller sent but the path. */
    static void logAccess(String method, String path, int status, long millis, String requestId) {
        access.info("{} {} {} {}ms {}", method, path, status, millis, requestId);
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    /** "METHOD path" of every HTTP route registered, as Javalin's router holds them. */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod()).map(e -> e.method.name() + " " + e.path).toList();
    }

    public int port() {
        return app.port();
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        int status = e.getStatus();
        return switch (status) {
            case 413 -> ApiException.tooLarge("request body is too large");
            case 404 -> ApiException.notFound("not found");
            case 405 -> new ApiException(405, "invalid_request_error", "method not allowed", null, null);
            default -> new ApiException(status, status >= 500 ? "server_error" : "invalid_request_error", e.getMessage(), null, null);
        };
    }

    /**
     * Paths under {@code /api/} and {@code /v1/}, after any run of leading slashes (the router treats
     * {@code //api/...} as {@code /api/...}): what the patterns {@code /api/*} and {@code /v1/*} matched.
     */
    static boolean isKeyChecked(String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return start > 0 && (path.startsWith("api/", start) || path.startsWith("v1/", start));
    }

    private static void authenticate(Context ctx, ApiKeys keys, KeyGate gate, ClientAddresses addresses, UiRoutes ui) {
        if (ctx.path().equals("/api/models")) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            Principal session = ui.authenticate(ctx); // the dashboard's cookie, CSRF-checked; null without one
            if (session != null) {
                admit(ctx, gate, addresses, session);
                ctx.attribute(PRINCIPAL, session);
                return;
            }
            throw ApiException.unauthorized("missing API key: send Authorization: Bearer <key>");
        }
        String presented = bearerKey(header);
        if (presented == null) {
            throw ApiException.unauthorized("malformed Authorization header: expected Bearer <key>");
        }
        CachedAnswerHandler.KeyCheck checked = ctx.attribute(CachedAnswerHandler.KEY_CHECK);
        Principal principal = (checked != null && checked.header().equals(header) ? checked.principal() : keys.authenticate(presented))
                .orElseThrow(() -> ApiException.unauthorized("invalid API key"));
        admit(ctx, gate, addresses, principal);
        ctx.attribute(PRINCIPAL, principal);
    }

    /** The key of an {@code Authorization: Bearer <key>} header (scheme case-insensitive); null when the header is not of that form. */
    static String bearerKey(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            return null;
        }
        return header.substring(7).trim();
    }

    /** The key's address whitelist (403) and hourly request limit (429 with Retry-After). */
    private static void admit(Context ctx, KeyGate gate, ClientAddresses addresses, Principal principal) {
        if (principal.limits().ipWhitelist().isEmpty() && principal.limits().rateLimit() == 0) {
            return;
        }
        InetAddress client = addresses.resolve(ctx.req().getRemoteAddr(), Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
        gate.admit(principal, client).ifPresent(r -> {
            throw r.rateLimited()
                    ? new ApiException(429, "rate_limit_error", r.message(), null, r.retryAfterSeconds(), "rate_limit_exceeded")
                    : ApiException.forbidden(r.message());
        });
    }

    static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw ApiException.unauthorized("missing API key: send Authorization: Bearer <key>");
        }
        return p;
    }

    /** The submitting key, with the credit limits the ledger holds its reservations to. */
    static dev.pictor.task.NewTask.Key submitter(Principal p) {
        return new dev.pictor.task.NewTask.Key(p.keyId(), p.limits().hourlyCreditLimit(), p.limits().dailyCreditLimit());
    }

    /** Operators only: the whole installation (tenants, balances, operator keys). */
    static Principal requireOperator(Context ctx) {
        Principal p = principal(ctx);
        if (!p.operator()) {
            throw ApiException.forbidden(p.admin() ? "this endpoint is for the operator; a tenant admin manages only its own tenant"
                    : "this endpoint needs an operator key");
        }
        return p;
    }

    static Principal requireAdmin(Context ctx) {
        Principal p = principal(ctx);
        if (!p.admin()) {
            throw ApiException.forbidden("this endpoint needs an admin key");
        }
        return p;
    }

    @Override
    public void close() {
        app.stop();
    }
}
