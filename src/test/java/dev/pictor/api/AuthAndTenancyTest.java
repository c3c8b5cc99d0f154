package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthAndTenancyTest {
    private TestNode node;
    private ApiClient client;

    @BeforeAll
    void start() {
        node = TestNode.start();
        client = node.client();
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private static final String BODY = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"a fox\",\"size\":\"1:1\"}}";

    @Test
    void missingMalformedUnknownAndRevokedKeysGet401() {
        Response missing = client.post("/api/generate/submit", BODY, null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errorType()).isEqualTo("authentication_error");
        assertThat(missing.errorMessage()).contains("missing API key");

        Response malformed = client.send(HttpRequest.newBuilder(URI.create(client.baseUrl() + "/api/generate/status/task-unified-1-abcd"))
                .header("Authorization", "Basic dXNlcjpwYXNz").GET().build());
        assertThat(malformed.status()).isEqualTo(401);
        assertThat(malformed.errorMessage()).contains("malformed Authorization header");

        Response unknown = client.post("/api/generate/submit", BODY, "sk-not-a-real-key-000000000000000000");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.errorMessage()).isEqualTo("invalid API key");

        Response created = client.post("/api/admin/keys", "{\"name\":\"short-lived\"}", TestNode.ADMIN_KEY);
        String key = created.data().get("key").asString();
        assertThat(client.post("/api/generate/submit", BODY, key).status()).isEqualTo(200);
        assertThat(client.post("/api/admin/keys/" + created.data().get("id").asString() + "/revoke", "{}", TestNode.ADMIN_KEY).status())
                .isEqualTo(200);
        Response revoked = client.post("/api/generate/submit", BODY, key);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.body().get("code").asInt()).isEqualTo(401);
    }

    @Test
    void anotherTenantsTaskIs404NotForbidden() {
        client.post("/api/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}", TestNode.ADMIN_KEY);
        client.post("/api/admin/tenants", "{\"id\":\"globex\"}", TestNode.ADMIN_KEY);
        String acme = client.post("/api/admin/keys", "{\"tenant_id\":\"acme\"}", TestNode.ADMIN_KEY).data().get("key").asString();
        String globex = client.post("/api/admin/keys", "{\"tenant_id\":\"globex\"}", TestNode.ADMIN_KEY).data().get("key").asString();

        String taskId = client.post("/api/generate/submit", BODY, acme).data().get("task_id").asString();
        assertThat(client.awaitTerminal(acme, taskId, Duration.ofSeconds(20)).get("status").asString()).isEqualTo("finished");

        Response foreign = client.get("/api/generate/status/" + taskId, globex);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.errorType()).isEqualTo("not_found_error");
        Response missing = client.get("/api/generate/status/task-unified-1795263000-doesnotexist00000000", globex);
        assertThat(missing.errorMessage()).isEqualTo(foreign.errorMessage().replace(taskId, "task-unified-1795263000-doesnotexist00000000"));
        // Even the admin key belongs to a tenant (default) and does not see acme's tasks.
        assertThat(client.get("/api/generate/status/" + taskId, TestNode.ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void adminApiNeedsAnAdminKeyAndShowsSecretsOnce() {
        Response created = client.post("/api/admin/keys", "{\"name\":\"ci\"}", TestNode.ADMIN_KEY);
        assertThat(created.status()).isEqualTo(200);
        String secret = created.data().get("key").asString();
        assertThat(secret).startsWith("sk-").hasSize(43);

        Response forbidden = client.get("/api/admin/keys", secret);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.errorType()).isEqualTo("permission_error");

        Response list = client.get("/api/admin/keys?tenant_id=default", TestNode.ADMIN_KEY);
        assertThat(list.status()).isEqualTo(200);
        String listing = Json.write(list.body());
        assertThat(listing).contains(created.data().get("id").asString()).doesNotContain(secret).doesNotContain(TestNode.ADMIN_KEY);

        assertThat(client.post("/api/admin/keys", "{\"tenant_id\":\"nope\"}", TestNode.ADMIN_KEY).status()).isEqualTo(400);
        assertThat(client.post("/api/admin/tenants", "{\"id\":\"Bad Id\"}", TestNode.ADMIN_KEY).status()).isEqualTo(400);
        client.post("/api/admin/tenants", "{\"id\":\"dup\"}", TestNode.ADMIN_KEY);
        assertThat(client.post("/api/admin/tenants", "{\"id\":\"dup\"}", TestNode.ADMIN_KEY).status()).isEqualTo(409);
        assertThat(client.post("/api/admin/keys/key_missing/revoke", "{}", TestNode.ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void keysAreStoredHashed() throws Exception {
        String file = new String(java.nio.file.Files.readAllBytes(node.dataDir().resolve("pictor.mv.db")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(TestNode.ADMIN_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(file).contains(sha256).doesNotContain(TestNode.ADMIN_KEY);
    }

    @Test
    void unknownEndpointsAndMethodsAnswerInTheEnvelope() {
        Response nothing = client.get("/api/does-not-exist", TestNode.ADMIN_KEY);
        assertThat(nothing.status()).isEqualTo(404);
        assertThat(nothing.body().get("code").asInt()).isEqualTo(404);
        Response outside = client.get("/nothing-here", null);
        assertThat(outside.status()).isEqualTo(404);
        assertThat(outside.errorType()).isEqualTo("not_found_error");
    }

    private Response send(String method, String path, String body, String key) {
        return client.send(HttpRequest.newBuilder(URI.create(client.baseUrl() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aTenantAdminManagesOnlyItsOwnTenantWhileTheOperatorManagesEvery() {
        client.post("/api/admin/tenants", "{\"id\":\"initech\"}", TestNode.ADMIN_KEY);
        Response madeAdmin = client.post("/api/admin/keys", "{\"tenant_id\":\"initech\",\"scope\":\"tenant_admin\"}", TestNode.ADMIN_KEY);
        assertThat(madeAdmin.data().get("scope").asString()).isEqualTo("tenant_admin");
        assertThat(madeAdmin.data().get("admin").asBoolean()).isTrue();
        String admin = madeAdmin.data().get("key").asString();
        String defaultKeyId = client.post("/api/admin/keys", "{\"name\":\"default's\"}", TestNode.ADMIN_KEY).data().get("id").asString();
        String operatorKeyId = client.get("/api/admin/keys?tenant_id=default", TestNode.ADMIN_KEY).data().get("keys").valueStream()
                .filter(k -> k.get("scope").asString().equals("operator")).findFirst().orElseThrow().get("id").asString();

        // its own tenant: keys listed, created (in initech by default), changed and revoked
        Response own = client.get("/api/admin/keys", admin);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.data().get("keys").valueStream().map(k -> k.get("tenant_id").asString()).distinct().toList()).containsExactly("initech");
        Response created = client.post("/api/admin/keys", "{\"name\":\"worker\",\"rate_limit\":100}", admin);
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.data().get("tenant_id").asString()).isEqualTo("initech");
        assertThat(created.data().get("scope").asString()).isEqualTo("tenant");
        String workerId = created.data().get("id").asString();
        assertThat(send("PATCH", "/api/admin/keys/" + workerId, "{\"rate_limit\":5}", admin).status()).isEqualTo(200);
        assertThat(client.get("/api/admin/tenants", admin).data().get("tenants").valueStream().map(t -> t.get("id").asString()).toList())
                .containsExactly("initech");

        // another tenant, or the installation: refused, and nothing of it shown or changed
        Response foreignList = client.get("/api/admin/keys?tenant_id=default", admin);
        assertThat(foreignList.status()).isEqualTo(403);
        assertThat(Json.write(foreignList.body())).doesNotContain(defaultKeyId);
        assertThat(client.post("/api/admin/keys", "{\"tenant_id\":\"default\"}", admin).status()).isEqualTo(403);
        assertThat(client.post("/api/admin/keys", "{\"scope\":\"operator\"}", admin).status()).isEqualTo(403);
        assertThat(client.post("/api/admin/keys/" + defaultKeyId + "/revoke", "{}", admin).status()).isEqualTo(404);
        assertThat(send("DELETE", "/api/admin/keys/" + operatorKeyId, "", admin).status()).isEqualTo(404);
        assertThat(send("PATCH", "/api/admin/keys/" + defaultKeyId, "{\"rate_limit\":1}", admin).status()).isEqualTo(404);
        assertThat(client.post("/api/admin/tenants", "{\"id\":\"mine-now\"}", admin).status()).isEqualTo(403);
        assertThat(client.post("/api/admin/tenants/initech/credits", "{\"amount\":100,\"reason\":\"free money\"}", admin).status())
                .as("top-ups are the operator's, even for its own tenant").isEqualTo(403);
        assertThat(client.post("/api/admin/webhooks/secret/rotate", "{\"tenant_id\":\"default\"}", admin).status()).isEqualTo(403);
        assertThat(client.post("/api/admin/webhooks/secret/rotate", "{}", admin).status()).isEqualTo(200);
        assertThat(client.get("/api/admin/keys?tenant_id=default", TestNode.ADMIN_KEY).data().toString()).contains(defaultKeyId)
                .doesNotContain("\"revoked_time\":\"2");

        // the operator: every tenant, operator keys, balances
        assertThat(client.get("/api/admin/keys", TestNode.ADMIN_KEY).data().get("keys").valueStream()
                .map(k -> k.get("tenant_id").asString()).distinct().toList()).contains("default", "initech");
        assertThat(client.post("/api/admin/keys/" + workerId + "/revoke", "{}", TestNode.ADMIN_KEY).status()).isEqualTo(200);
        assertThat(client.post("/api/admin/tenants/initech/credits", "{\"amount\":1,\"reason\":\"test\"}", TestNode.ADMIN_KEY).status())
                .isEqualTo(200);
        Response operator = client.post("/api/admin/keys", "{\"tenant_id\":\"initech\",\"scope\":\"operator\"}", TestNode.ADMIN_KEY);
        assertThat(operator.data().get("scope").asString()).isEqualTo("operator");
        assertThat(client.get("/api/admin/keys?tenant_id=default", operator.data().get("key").asString()).status()).isEqualTo(200);
        assertThat(client.post("/api/admin/keys", "{\"scope\":\"tenant\",\"admin\":true}", TestNode.ADMIN_KEY).status()).isEqualTo(400);
    }
}
