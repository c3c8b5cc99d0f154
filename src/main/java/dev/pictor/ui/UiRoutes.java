package dev.pictor.ui;

import java.time.Instant;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.Principal;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.common.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard (static pages under {@code /ui}), its session sign-in, the OpenAPI document and the
 * reference viewer. The API key a person pastes is used once to open a session and is never sent
 * back; afterwards the browser carries only an HttpOnly cookie, and every state-changing call also
 * carries the session's CSRF token in {@code X-CSRF-Token}.
 */
public final class UiRoutes {
    public static final String COOKIE = "pictor_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MAX_SIGN_IN_BYTES = 4096;
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]{1,40}\\.(js|css|svg)");
    private static final String CSP = "default-src 'self'; img-src 'self' data: blob: http: https:; script-src 'self'; "
            + "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** A refused session or sign-in; the server maps it to the error envelope. */
    public static final class Rejected extends RuntimeException {
        private final int status;
        private final String type;
        private final String param;

        Rejected(int status, String type, String message, String param) {
            super(message);
            this.status = status;
            this.type = type;
            this.param = param;
        }

        public int status() {
            return status;
        }

        public String type() {
            return type;
        }

        public String param() {
            return param;
        }
    }

    private final ApiKeys keys;
    private final UiSessions sessions;
    private final ModelCatalog catalog;
    private final Function<String, List<String>> upstreamsOf;
    private final String openApi;
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

    /** {@code upstreamsOf} gives a model's upstream names in fallback order ("sandbox" when it runs there). */
    public UiRoutes(ApiKeys keys, UiSessions sessions, ModelCatalog catalog, Function<String, List<String>> upstreamsOf, String version) {
        this.keys = keys;
        this.sessions = sessions;
        this.catalog = catalog;
        this.upstreamsOf = upstreamsOf;
        this.openApi = Json.write(OpenApi.document(catalog, version));
    }

    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> page(ctx, "index.html"));
        routes.get("/ui", ctx -> page(ctx, "index.html"));
        routes.get("/docs", ctx -> page(ctx, "docs.html"));
        routes.get("/ui/assets/{name}", this::asset);
        routes.get("/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(openApi));
        routes.post("/ui/session", this::signIn);
        routes.get("/ui/session", this::current);
        routes.delete("/ui/session", this::signOut);
        routes.get("/ui/model-routes", this::modelRoutes);
    }

    /**
     * The principal of the request's session cookie, or null when there is none. A cookie that is
     * unknown or expired is a 401; a state-changing method without the session's CSRF token a 403.
     */
    public Principal authenticate(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null || id.isEmpty()) {
            return null;
        }
        UiSessions.Live live = sessions.find(id)
                .orElseThrow(() -> new Rejected(401, "authentication_error", "the dashboard session has expired; sign in again", null));
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS")
                && !sessions.csrfMatches(id, ctx.header(CSRF_HEADER))) {
            throw new Rejected(403, "permission_error", "missing or wrong " + CSRF_HEADER + " header for this session", CSRF_HEADER);
        }
        return live.principal();
    }

    private void signIn(Context ctx) {
        JsonNode body;
        byte[] raw;
        try (InputStream in = ctx.req().getInputStream()) {
            raw = ctx.req().getContentLengthLong() > MAX_SIGN_IN_BYTES ? new byte[MAX_SIGN_IN_BYTES + 1] : in.readNBytes(MAX_SIGN_IN_BYTES + 1);
        } catch (IOException e) {
            throw new Rejected(400, "invalid_request_error", "request body could not be read", null);
        }
        if (raw.length > MAX_SIGN_IN_BYTES) {
            throw new Rejected(413, "invalid_request_error", "a sign-in body is at most " + MAX_SIGN_IN_BYTES + " bytes", null);
        }
        try {
            body = Json.MAPPER.readTree(raw);
        } catch (JacksonException e) {
            throw new Rejected(400, "invalid_request_error", "request body must be a JSON object with key", null);
        }
        if (body == null || !body.isObject() || !body.path("key").isString() || body.get("key").asString().isBlank()) {
            throw new Rejected(400, "invalid_request_error", "key is required: paste an API key (sk-...)", "key");
        }
        Principal principal = keys.authenticate(body.get("key").asString().trim())
                .orElseThrow(() -> new Rejected(401, "authentication_error", "invalid API key", "key"));
        UiSessions.Opened opened = sessions.open(principal);
        ctx.header("Set-Cookie", COOKIE + "=" + opened.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + sessions.lifetime().toSeconds() + (secure(ctx) ? "; Secure" : ""));
        ok(ctx, sessionJson(principal, opened.csrfToken(), opened.expiresAt()));
    }

    /** 200 either way: a signed-out page asking is normal, not an error for the browser console to report. */
    private void current(Context ctx) {
        String id = ctx.cookie(COOKIE);
        Optional<UiSessions.Live> live = Optional.ofNullable(id).flatMap(sessions::find);
        ok(ctx, live.map(l -> sessionJson(l.principal(), sessions.csrfToken(id), l.expiresAt()))
                .orElseGet(() -> Json.object().put("signed_in", false)));
    }

    private void signOut(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null && sessions.find(id).isPresent()) {
            if (!sessions.csrfMatches(id, ctx.header(CSRF_HEADER))) {
                throw new Rejected(403, "permission_error", "missing or wrong " + CSRF_HEADER + " header for this session", CSRF_HEADER);
            }
            sessions.close(id);
        }
        ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure(ctx) ? "; Secure" : ""));
        ok(ctx, Json.object().put("signed_out", true));
    }

    private void modelRoutes(Context ctx) {
        ObjectNode data = Json.object();
        ObjectNode models = data.putObject("models");
        for (ModelSpec spec : catalog.all()) {
            var list = models.putArray(spec.id());
            upstreamsOf.apply(spec.id()).forEach(list::add);
        }
        ok(ctx, data);
    }

    private ObjectNode sessionJson(Principal p, String csrf, Instant expires) {
        return Json.object().put("signed_in", true).put("tenant_id", p.tenantId()).put("key_id", p.keyId()).put("admin", p.admin()).put("operator", p.operator())
                .put("csrf_token", csrf).put("expires_time", expires.toString());
    }

    private static boolean secure(Context ctx) {
        return ctx.scheme().equals("https") || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    private void page(Context ctx, String name) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.status(200).contentType("text/html; charset=utf-8").result(resource(name));
    }

    private void asset(Context ctx) {
        String name = ctx.pathParam("name");
        byte[] bytes = ASSET.matcher(name).matches() ? resource(name) : null;
        if (bytes == null) {
            throw new Rejected(404, "not_found_error", "no such dashboard file: " + (name.length() > 40 ? name.substring(0, 40) : name), null);
        }
        String type = name.endsWith(".js") ? "text/javascript; charset=utf-8"
                : name.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-cache");
        ctx.status(200).contentType(type).result(bytes);
    }

    /** A file under the jar's {@code ui/}, read once; null when absent. */
    private byte[] resource(String name) {
        byte[] cached = assets.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = UiRoutes.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            assets.put(name, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ok(Context ctx, JsonNode data) {
        ObjectNode envelope = Json.object().put("code", 200);
        envelope.set("data", data);
        ctx.status(200).contentType("application/json").result(Json.write(envelope).getBytes(StandardCharsets.UTF_8));
    }
}
