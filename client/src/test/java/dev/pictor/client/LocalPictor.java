package dev.pictor.client;

import dev.pictor.Pictor;
import dev.pictor.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Pictor (the server module, on the test classpath) on 127.0.0.1 port 0 with the sandbox
 * upstream, its own data directory and a known admin key. The admin calls the client does not offer
 * (tenants, keys, webhook secret) go over plain HTTP here.
 */
final class LocalPictor implements AutoCloseable {
    static final String ADMIN_KEY = "sk-client-test-admin-0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Pictor pictor;
    private final HttpClient http = HttpClient.newHttpClient();

    LocalPictor() {
        try {
            Map<String, String> env = Map.of(
                    "PICTOR_PORT", "0",
                    "PICTOR_HOST", "127.0.0.1",
                    "PICTOR_DATA_DIR", Files.createTempDirectory("pictor-client-test-").toString(),
                    "PICTOR_ADMIN_KEY", ADMIN_KEY,
                    "PICTOR_SANDBOX_LATENCY_MS", "0",
                    // Callbacks go to the test's own receiver on loopback.
                    "PICTOR_FETCH_ALLOW", "127.0.0.1/32",
                    "PICTOR_SHUTDOWN_GRACE_SECONDS", "2");
            pictor = Pictor.start(Settings.fromEnvironment(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return pictor.baseUrl();
    }

    PictorClient.Builder client(String key) {
        return PictorClient.builder().baseUrl(baseUrl()).apiKey(key).environment(n -> null);
    }

    /** A new tenant ("prepaid" or "unlimited" billing) and an API key for it. */
    String tenantKey(String tenantId, String billing) {
        admin("POST", "/api/admin/tenants", "{\"id\":\"" + tenantId + "\",\"billing\":\"" + billing + "\"}");
        return admin("POST", "/api/admin/keys", "{\"tenant_id\":\"" + tenantId + "\"}").path("data").path("key").asString();
    }

    /** The webhook signing secret ({@code whsec_...}) of the key's tenant. */
    String webhookSecret(String key) {
        return call("GET", "/api/webhooks/secret", null, key).path("data").path("secret").asString();
    }

    JsonNode admin(String method, String path, String body) {
        return call(method, path, body, ADMIN_KEY);
    }

    private JsonNode call(String method, String path, String body, String key) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> res = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException(method + " " + path + ": " + res.statusCode() + " " + res.body());
            }
            return JSON.readTree(res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        pictor.close();
    }
}
