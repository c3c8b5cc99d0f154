package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pictor.auth.AddressRange;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.KeyLimits;
import dev.pictor.auth.Principal;
import dev.pictor.auth.Scope;
import dev.pictor.db.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The handler in front of the router, on a real Jetty server: what it answers itself (a plain
 * success from memory), what it hands on to the router untouched, and the key check it hands on.
 */
class CachedAnswerHandlerTest {
    private static final String PREFIX = "/api/generate/status/";
    private static final byte[] BODY = "{\"code\":200,\"data\":{\"status\":\"finished\"}}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private Database db;
    private ApiKeys keys;
    private Server server;
    private String base;
    /** What reached the router (the handler behind): each request's path and the key check it carried. */
    private final List<String> routed = new CopyOnWriteArrayList<>();
    private final List<CachedAnswerHandler.KeyCheck> checks = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private String plainKey;
    private String tenantId;

    @BeforeEach
    void start() throws Exception {
        db = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "", "", 4);
        keys = new ApiKeys(db.jdbc(), Clock.systemUTC());
        tenantId = keys.createTenant("acme", "Acme").id();
        plainKey = keys.create(tenantId, "plain", Scope.TENANT, KeyLimits.NONE).secret();
        // Answers only task-1 of tenant acme, as the status cache would.
        CachedAnswers answers = new CachedAnswers() {
            @Override
            public String pathPrefix() {
                return PREFIX;
            }

            @Override
            public byte[] cachedAnswer(Principal principal, String path) {
                return principal.tenantId().equals("acme") && path.equals(PREFIX + "task-1") ? BODY : null;
            }
        };
        server = new Server();
        // LEGACY, as Javalin configures its connector: paths such as //x reach the handlers.
        var config = new HttpConfiguration();
        config.setUriCompliance(UriCompliance.LEGACY);
        var connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var handler = new CachedAnswerHandler(keys, List.of(answers), new RequestIds(() -> 42L));
        handler.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                routed.add(request.getHttpURI().getPathQuery());
                checks.add((CachedAnswerHandler.KeyCheck) request.getAttribute(CachedAnswerHandler.KEY_CHECK));
                response.setStatus(418);
                response.write(true, ByteBuffer.wrap("routed".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.setHandler(handler);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        db.close();
    }

    private HttpResponse<String> get(String path, String authorization, String requestId) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAnswerInMemoryLeavesAtOnceWithTheRoutersHeadersAndItsAccessLogLine() throws Exception {
        var access = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("pictor.access");
        var lines = new ListAppender<ILoggingEvent>();
        lines.start();
        Level before = access.getLevel();
        access.setLevel(Level.INFO);
        access.addAppender(lines);
        try {
            var answer = get(PREFIX + "task-1", "Bearer " + plainKey, "trace-7");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(new String(BODY, StandardCharsets.UTF_8));
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("trace-7");
            assertThat(answer.headers().firstValueAsLong("Content-Length")).hasValue(BODY.length);
            // A request id a log could be forged with is replaced, as the router replaces it.
            var renamed = get(PREFIX + "task-1", "Bearer " + plainKey, "bad/id");
            assertThat(renamed.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("req_[a-z0-9]{20}"));
            assertThat(routed).isEmpty();
            assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).matches("GET /api/generate/status/task-1 200 \\d+ms trace-7"))
                    .noneSatisfy(line -> assertThat(line).contains(plainKey));
        } finally {
            access.detachAppender(lines);
            access.setLevel(before);
        }
    }

    @Test
    void everythingElseGoesToTheRouterWithTheKeyCheckAlreadyMade() throws Exception {
        assertThat(get(PREFIX + "task-2", "Bearer " + plainKey, null).statusCode()).isEqualTo(418);
        assertThat(checks.getLast().header()).isEqualTo("Bearer " + plainKey);
        assertThat(checks.getLast().principal()).map(Principal::tenantId).hasValue("acme");

        assertThat(get(PREFIX + "task-1", "Bearer sk-unknown-0123456789", null).statusCode()).isEqualTo(418);
        assertThat(checks.getLast().principal()).isEqualTo(Optional.empty());

        String other = keys.create(keys.createTenant("other", "Other").id(), "other", Scope.TENANT, KeyLimits.NONE).secret();
        assertThat(get(PREFIX + "task-1", "Bearer " + other, null).statusCode()).isEqualTo(418);
        assertThat(checks.getLast().principal()).map(Principal::tenantId).hasValue("other");
    }

    @Test
    void keysWithAPerRequestCheckAndRequestsThatAreNotPlainReadsAreRouted() throws Exception {
        String limited = keys.create(tenantId, "limited", Scope.TENANT, new KeyLimits(100, List.of(), 0, 0)).secret();
        String fenced = keys.create(tenantId, "fenced", Scope.TENANT, new KeyLimits(0, List.of(AddressRange.parse("10.0.0.0/8")), 0, 0)).secret();
        assertThat(get(PREFIX + "task-1", "Bearer " + limited, null).statusCode()).isEqualTo(418);
        assertThat(get(PREFIX + "task-1", "Bearer " + fenced, null).statusCode()).isEqualTo(418);
        assertThat(get(PREFIX + "task-1", null, null).statusCode()).isEqualTo(418);
        assertThat(get(PREFIX + "task-1", "Basic " + plainKey, null).statusCode()).isEqualTo(418);
        assertThat(get(PREFIX + "task%2D1", "Bearer " + plainKey, null).statusCode()).isEqualTo(418);
        assertThat(get("/api/generate/status//task-1", "Bearer " + plainKey, null).statusCode()).isEqualTo(418);
        var post = HttpRequest.newBuilder(URI.create(base + PREFIX + "task-1")).header("Authorization", "Bearer " + plainKey)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(418);
        assertThat(routed).hasSize(7);
        // Outside the groups' prefixes no key is even looked at: the router makes the only check.
        int before = checks.size();
        assertThat(get("/api/models", "Bearer " + plainKey, null).statusCode()).isEqualTo(418);
        assertThat(checks.subList(before, checks.size())).containsExactly((CachedAnswerHandler.KeyCheck) null);
    }

    @Test
    void aRevokedKeyIsRoutedAtOnce() throws Exception {
        var created = keys.create(tenantId, "short-lived", Scope.TENANT, KeyLimits.NONE);
        assertThat(get(PREFIX + "task-1", "Bearer " + created.secret(), null).statusCode()).isEqualTo(200);
        keys.revoke(created.info().id());
        assertThat(get(PREFIX + "task-1", "Bearer " + created.secret(), null).statusCode()).isEqualTo(418);
        assertThat(checks.getLast().principal()).isEmpty();
    }
}
