package dev.pictor.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiSessionTest {
    private static TestNode node;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        node = TestNode.start();
        client = node.client();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private record Session(String cookie, String csrf) {
    }

    private Session signIn(String key) {
        var r = client.post("/ui/session", "{\"key\":\"" + key + "\"}", null);
        assertThat(r.status()).isEqualTo(200);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(UiRoutes.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200");
        assertThat(r.body().toString()).doesNotContain(key);
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), r.data().get("csrf_token").asString());
    }

    private ApiClient.Response call(String method, String path, Session s, String csrf, String body) {
        var b = HttpRequest.newBuilder(URI.create(client.baseUrl() + path)).header("Cookie", s.cookie());
        if (csrf != null) {
            b.header(UiRoutes.CSRF_HEADER, csrf);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build());
    }

    @Test
    void aSessionActsAsItsKeyAndStateChangingCallsNeedTheCsrfToken() {
        Session s = signIn(TestNode.ADMIN_KEY);
        assertThat(call("GET", "/api/generate/tasks", s, null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/ui/session", s, null, null).data().get("admin").asBoolean()).isTrue();

        String submit = "{\"model\":\"nano-banana-2\",\"input\":{\"prompt\":\"a cat\"}}";
        var refused = call("POST", "/api/generate/submit", s, null, submit);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().get("error").get("param").asString()).isEqualTo(UiRoutes.CSRF_HEADER);
        assertThat(call("POST", "/api/generate/submit", s, "wrong", submit).status()).isEqualTo(403);
        var accepted = call("POST", "/api/generate/submit", s, s.csrf(), submit);
        assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(200);
        // Bearer keys are unaffected: no token needed.
        assertThat(client.post("/api/generate/submit", submit, TestNode.ADMIN_KEY).status()).isEqualTo(200);
    }

    @Test
    void signOutEndsTheSessionOnTheServer() {
        Session s = signIn(TestNode.ADMIN_KEY);
        assertThat(call("DELETE", "/ui/session", s, null, null).status()).isEqualTo(403);
        var out = call("DELETE", "/ui/session", s, s.csrf(), null);
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.raw().headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        var after = call("GET", "/api/generate/tasks", s, null, null);
        assertThat(after.status()).isEqualTo(401);
        assertThat(call("GET", "/ui/session", s, null, null).data().get("signed_in").asBoolean()).isFalse();
    }

    @Test
    void revokingTheKeyEndsItsSessionsAndAdminRoutesStayAdminOnly() {
        var created = client.post("/api/admin/keys", "{\"name\":\"ui user\"}", TestNode.ADMIN_KEY).data();
        Session s = signIn(created.get("key").asString());
        assertThat(call("GET", "/api/admin/keys", s, null, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/generate/tasks", s, null, null).status()).isEqualTo(200);
        client.post("/api/admin/keys/" + created.get("id").asString() + "/revoke", "{}", TestNode.ADMIN_KEY);
        assertThat(call("GET", "/api/generate/tasks", s, null, null).status()).isEqualTo(401);
    }

    @Test
    void aWrongKeyOpensNoSession() {
        var r = client.post("/ui/session", "{\"key\":\"sk-not-a-real-key-000000000\"}", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.raw().headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(client.post("/ui/session", "{}", null).body().get("error").get("param").asString()).isEqualTo("key");
        assertThat(client.post("/ui/session", "{\"key\":\"" + "x".repeat(5000) + "\"}", null).status()).isEqualTo(413);
    }
}
