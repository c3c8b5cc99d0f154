package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** GET /api/usage over real HTTP: groups, CSV, validation, refunds, tenant isolation; and the upstream health view. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageApiTest {
    private TestNode node;
    private ApiClient api;
    private String keyA;
    private String keyIdA;
    private String keyB;

    @BeforeAll
    void start() {
        node = TestNode.start();
        api = node.client();
        keyA = newKey("usage-a");
        keyIdA = api.get("/api/account", keyA).data().get("key_id").asString();
        keyB = newKey("usage-b");
        run(keyA, "z-image", "{\"prompt\":\"one\",\"size\":\"1:1\"}");
        run(keyA, "z-image", "{\"prompt\":\"two\",\"size\":\"1:1\"}");
        run(keyA, "z-image", "{\"prompt\":\"no [sandbox:fail]\",\"size\":\"1:1\"}");
        run(keyA, "seedream-4.5", "{\"prompt\":\"pair\",\"n\":2}");
        run(keyB, "flux-kontext-pro", "{\"prompt\":\"tenant b only\"}");
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private String newKey(String tenant) {
        api.post("/api/admin/tenants", "{\"id\":\"" + tenant + "\"}", TestNode.ADMIN_KEY);
        return api.post("/api/admin/keys", "{\"tenant_id\":\"" + tenant + "\"}", TestNode.ADMIN_KEY).data().get("key").asString();
    }

    private void run(String key, String model, String input) {
        api.awaitTerminal(key, api.submit(key, model, (ObjectNode) Json.parse(input)), Duration.ofSeconds(20));
    }

    private static JsonNode group(JsonNode data, String field, String value) {
        for (JsonNode g : data.get("groups")) {
            if (g.path(field).asString("").equals(value)) {
                return g;
            }
        }
        throw new AssertionError("no group " + field + "=" + value + " in " + data);
    }

    @Test
    void perModelTheTenantSeesTasksImagesChargesAndRefunds() {
        var r = api.get("/api/usage", keyA);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode data = r.data();
        assertThat(data.get("group_by").asString()).isEqualTo("model");
        assertThat(data.get("tenant_id").asString()).isEqualTo("usage-a");
        JsonNode z = group(data, "model", "z-image");
        assertThat(z.get("tasks").asLong()).isEqualTo(3);
        assertThat(z.get("succeeded").asLong()).isEqualTo(2);
        assertThat(z.get("failed").asLong()).isEqualTo(1);
        assertThat(z.get("images").asLong()).isEqualTo(2);
        assertThat(z.get("credits_charged").decimalValue()).isEqualByComparingTo("4");
        assertThat(z.get("credits_refunded").decimalValue()).as("the failed task's reservation").isEqualByComparingTo("2");
        assertThat(z.get("usd_charged").decimalValue()).isEqualByComparingTo("0.02");
        assertThat(z.get("upstream_cost_usd").decimalValue()).as("the sandbox costs nothing").isEqualByComparingTo("0");
        JsonNode s = group(data, "model", "seedream-4.5");
        assertThat(s.get("images").asLong()).isEqualTo(2);
        assertThat(s.get("credits_charged").decimalValue()).isEqualByComparingTo("10");
        assertThat(data.get("totals").get("tasks").asLong()).isEqualTo(4);
        assertThat(data.get("totals").get("credits_charged").decimalValue()).isEqualByComparingTo("14");
    }

    @Test
    void aTenantNeverSeesAnotherTenantsRows() {
        JsonNode a = api.get("/api/usage", keyA).data();
        assertThat(a.get("groups").valueStream().map(g -> g.get("model").asString())).containsExactlyInAnyOrder("z-image", "seedream-4.5");
        JsonNode b = api.get("/api/usage?group_by=key", keyB).data();
        assertThat(b.get("groups")).hasSize(1);
        assertThat(b.get("groups").get(0).get("key_id").asString()).isNotEqualTo(keyIdA);
        assertThat(b.get("totals").get("tasks").asLong()).isEqualTo(1);
        var other = api.get("/api/usage?tenant_id=usage-b", keyA);
        assertThat(other.status()).isEqualTo(403);
        assertThat(api.get("/api/usage?tenant_id=usage-a", keyA).status()).isEqualTo(200);
        assertThat(api.get("/api/usage", null).status()).isEqualTo(401);
    }

    @Test
    void adminKeysSeeEveryTenantOrOneByFilter() {
        JsonNode all = api.get("/api/usage", TestNode.ADMIN_KEY).data();
        assertThat(all.get("tenant_id").isNull()).isTrue();
        assertThat(all.get("groups").valueStream().map(g -> g.get("model").asString())).contains("z-image", "flux-kontext-pro");
        JsonNode onlyB = api.get("/api/usage?tenant_id=usage-b", TestNode.ADMIN_KEY).data();
        assertThat(onlyB.get("groups").valueStream().map(g -> g.get("model").asString())).containsExactly("flux-kontext-pro");
        assertThat(onlyB.get("totals").get("credits_charged").decimalValue()).isEqualByComparingTo("8");
    }

    @Test
    void byKeyAndByDay() {
        JsonNode byKey = api.get("/api/usage?group_by=key", keyA).data();
        assertThat(byKey.get("groups")).hasSize(1);
        assertThat(byKey.get("groups").get(0).get("key_id").asString()).isEqualTo(keyIdA);
        assertThat(byKey.get("groups").get(0).get("tasks").asLong()).isEqualTo(4);
        JsonNode byDay = api.get("/api/usage?group_by=day", keyA).data();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(group(byDay, "day", today).get("tasks").asLong()).isEqualTo(4);
        String past = "/api/usage?group_by=day&since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z";
        assertThat(api.get(past, keyA).data().get("groups")).isEmpty();
    }

    @Test
    void csvHasAHeaderRowAndTheSameFigures() {
        var r = api.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/usage?group_by=model"))
                .header("Authorization", "Bearer " + keyA).header("Accept", "text/csv").GET().build());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        List<String> lines = new String(r.raw().body(), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo("model,tasks,succeeded,failed,images,credits_charged,credits_refunded,usd_charged,"
                + "upstream_cost_usd,margin_usd,upstream_input_tokens,upstream_output_tokens,upstream_compute_seconds,unpriced_tasks");
        assertThat(lines).contains("z-image,3,2,1,2,4,2,0.02,0,0.02,0,0,0,0", "total,4,3,1,4,14,2,0.07,0,0.07,0,0,0,0");
        assertThat(lines).hasSize(4);
    }

    @Test
    void badRangesAndGroupsAre400sNamingTheField() {
        Map<String, String> cases = Map.of(
                "/api/usage?since=yesterday", "since",
                "/api/usage?until=2026-13-01T00:00:00Z", "until",
                "/api/usage?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z", "until",
                "/api/usage?since=2026-11-01T00:00:00Z&until=2026-11-01T00:00:00Z", "until",
                "/api/usage?since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "since",
                "/api/usage?group_by=tenant", "group_by");
        cases.forEach((path, field) -> {
            var r = api.get(path, keyA);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body().get("code").asInt()).isEqualTo(400);
            assertThat(r.body().get("error").get("param").asString()).as(path).isEqualTo(field);
        });
        assertThat(api.get("/api/usage?since=2026-11-01T00:00:00&until=2026-11-20T00:00:00", keyA).status())
                .as("APIDot's time form").isEqualTo(200);
    }

    @Test
    void theLedgerOfTheCallersTenantNewestFirst() {
        api.post("/api/admin/tenants", "{\"id\":\"usage-c\",\"billing\":\"prepaid\"}", TestNode.ADMIN_KEY);
        String keyC = api.post("/api/admin/keys", "{\"tenant_id\":\"usage-c\"}", TestNode.ADMIN_KEY).data().get("key").asString();
        api.post("/api/admin/tenants/usage-c/credits", "{\"amount\":100,\"reason\":\"invoice 1\"}", TestNode.ADMIN_KEY);
        run(keyC, "z-image", "{\"prompt\":\"paid\",\"size\":\"1:1\"}");
        JsonNode data = api.get("/api/account/ledger", keyC).data();
        assertThat(data.get("entries").valueStream().map(e -> e.get("kind").asString())).containsExactly("settle", "reserve", "topup");
        assertThat(data.get("entries").get(1).get("amount").decimalValue()).isEqualByComparingTo("-2");
        assertThat(data.get("entries").get(2).get("reason").asString()).isEqualTo("invoice 1");
        JsonNode page = api.get("/api/account/ledger?limit=1", keyC).data();
        assertThat(page.get("has_more").asBoolean()).isTrue();
        long last = page.get("entries").get(0).get("id").asLong();
        assertThat(api.get("/api/account/ledger?limit=5&before=" + last, keyC).data().get("entries")).hasSize(2);
        assertThat(api.get("/api/account/ledger", keyA).data().get("entries")).as("another tenant's rows").isEmpty();
        assertThat(api.get("/api/account/ledger?before=x", keyC).body().get("error").get("param").asString()).isEqualTo("before");
    }

    @Test
    void upstreamHealthIsForAdminsAndShowsTheSandboxsCalls() {
        assertThat(api.get("/api/admin/upstreams", keyA).status()).isEqualTo(403);
        JsonNode data = api.get("/api/admin/upstreams", TestNode.ADMIN_KEY).data();
        JsonNode sandbox = data.get("upstreams").valueStream().filter(u -> u.get("name").asString().equals("sandbox")).findFirst().orElseThrow();
        assertThat(sandbox.get("circuit").asString()).isEqualTo("closed");
        assertThat(sandbox.get("calls").asInt()).isGreaterThanOrEqualTo(5);
        // the [sandbox:fail] refusal is an answer, not an outage: the circuit breaker does not count it either
        assertThat(sandbox.get("failures").asInt()).isZero();
        assertThat(sandbox.get("error_rate").asDouble()).isZero();
        assertThat(sandbox.get("latency_p90_ms").asLong()).isGreaterThanOrEqualTo(sandbox.get("latency_p50_ms").asLong());
    }
}
