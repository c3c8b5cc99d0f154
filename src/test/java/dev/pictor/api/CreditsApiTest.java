package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** Prices in the model list and the estimate endpoint, over HTTP; the estimate must store nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditsApiTest {
    private TestNode node;
    private String key;

    @BeforeAll
    void start() {
        node = TestNode.start();
        node.client().post("/api/admin/tenants", "{\"id\":\"estimates\"}", TestNode.ADMIN_KEY);
        key = node.client().post("/api/admin/keys", "{\"tenant_id\":\"estimates\"}", TestNode.ADMIN_KEY).data().get("key").asString();
    }

    @AfterAll
    void stop() {
        node.close();
    }

    @Test
    void everyModelInTheListShowsItsPriceRule() {
        JsonNode models = node.client().get("/api/models", null).data().get("models");
        assertThat(models).isNotEmpty();
        for (JsonNode m : models) {
            assertThat(m.get("price").get("per").asString()).as(m.get("id").asString()).isIn("generation", "image");
            assertThat(m.get("price").get("credits").isObject()).isTrue();
        }
        JsonNode gpt = null;
        for (JsonNode m : models) {
            if (m.get("id").asString().equals("gpt-image-2")) {
                gpt = m.get("price");
            }
        }
        assertThat(gpt.get("by").toString()).isEqualTo("[\"quality\",\"resolution\"]");
        assertThat(gpt.get("credits").get("high/4K").decimalValue()).isEqualByComparingTo("48");
    }

    @Test
    void anEstimateAnswersCreditsAndDollarsAndStoresNothing() {
        var r = node.client().post("/api/generate/estimate",
                "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"a fox\",\"quality\":\"medium\",\"resolution\":\"2K\"}}", key);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("code").intValue()).isEqualTo(200);
        assertThat(r.data().get("model").asString()).isEqualTo("gpt-image-2");
        assertThat(r.data().get("credits").decimalValue()).isEqualByComparingTo("6");
        assertThat(r.data().get("usd").decimalValue()).isEqualByComparingTo("0.03");

        var seedream = node.client().submit(TestNode.ADMIN_KEY, "seedream-4.5", (tools.jackson.databind.node.ObjectNode) Json.parse("{\"prompt\":\"a fox\",\"n\":2}"));
        JsonNode done = node.client().awaitTerminal(TestNode.ADMIN_KEY, seedream, java.time.Duration.ofSeconds(20));
        assertThat(done.get("files").size()).isEqualTo(2);
        assertThat(done.get("credits").decimalValue()).as("5 per delivered image").isEqualByComparingTo("10");

        var perImage = node.client().post("/api/generate/estimate",
                "{\"model\":\"kling-o3-image\",\"input\":{\"prompt\":\"a fox\",\"n\":3}}", key);
        assertThat(perImage.data().get("credits").decimalValue()).isEqualByComparingTo("10.5");
        assertThat(node.pictor().store().list("estimates", null, null, null, null, null, 1)).isEmpty();
    }

    @Test
    void aBadBodyGetsTheSame400AsSubmit() {
        String[] bodies = {
                "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"x\",\"quality\":\"ultra\"}}",
                "{\"model\":\"no-such-model\",\"input\":{\"prompt\":\"x\"}}",
                "{\"input\":{\"prompt\":\"x\"}}",
                "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"x\"},\"extra\":1}",
                "{\"model\":\"gpt-image-2\",\"input\":{\"prompt\":\"x\"},\"callback_url\":\"ftp://x.example/\"}",
                "{\"model\":\"seedream-4.5\",\"input\":{\"prompt\":\"x\",\"n\":16}}"};
        for (String body : bodies) {
            var estimate = node.client().post("/api/generate/estimate", body, key);
            var submit = node.client().post("/api/generate/submit", body, key);
            assertThat(estimate.status()).as(body).isEqualTo(400);
            for (String part : new String[] {"message", "type", "param"}) {
                assertThat(estimate.body().get("error").get(part)).as(body + " " + part).isEqualTo(submit.body().get("error").get(part));
            }
        }
        assertThat(node.pictor().store().list("estimates", null, null, null, null, null, 1)).isEmpty();
    }

    @Test
    void aPrepaidTenantSpendsItsBalanceAndGets402WhenItRunsOut() {
        var created = node.client().post("/api/admin/tenants", "{\"id\":\"prepaid\",\"billing\":\"prepaid\"}", TestNode.ADMIN_KEY);
        assertThat(created.data().get("billing").asString()).isEqualTo("prepaid");
        String k = node.client().post("/api/admin/keys", "{\"tenant_id\":\"prepaid\"}", TestNode.ADMIN_KEY).data().get("key").asString();
        String body = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"a fox\",\"size\":\"1:1\"}}";

        var refused = node.client().post("/api/generate/submit", body, k);
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.errorType()).isEqualTo("insufficient_credits");
        assertThat(node.pictor().store().list("prepaid", null, null, null, null, null, 1)).as("nothing stored").isEmpty();

        var topup = node.client().post("/api/admin/tenants/prepaid/credits", "{\"amount\":4,\"reason\":\"first payment\"}", TestNode.ADMIN_KEY);
        assertThat(topup.data().get("balance").decimalValue()).isEqualByComparingTo("4");
        assertThat(node.client().post("/api/admin/tenants/prepaid/credits", "{\"amount\":4}", TestNode.ADMIN_KEY).status()).isEqualTo(400);
        assertThat(node.client().post("/api/admin/tenants/prepaid/credits", "{\"amount\":1,\"reason\":\"x\"}", key).status())
                .as("admin only").isEqualTo(403);

        String ok = node.client().submit(k, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse("{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
        assertThat(node.client().awaitTerminal(k, ok, java.time.Duration.ofSeconds(20)).get("status").asString()).isEqualTo("finished");
        String failed = node.client().submit(k, "z-image",
                (tools.jackson.databind.node.ObjectNode) Json.parse("{\"prompt\":\"[sandbox:fail=content_moderated]\",\"size\":\"1:1\"}"));
        JsonNode failedStatus = node.client().awaitTerminal(k, failed, java.time.Duration.ofSeconds(20));
        assertThat(failedStatus.get("status").asString()).isEqualTo("failed");
        assertThat(failedStatus.get("credits").decimalValue()).as("a failed task costs nothing").isEqualByComparingTo("0");
        assertThat(node.client().get("/api/generate/status/" + ok, k).data().get("credits").decimalValue()).isEqualByComparingTo("2");

        JsonNode account = node.client().get("/api/account", k).data();
        assertThat(account.get("billing").asString()).isEqualTo("prepaid");
        assertThat(account.get("balance").decimalValue()).as("4 - 2 for the finished task; the failed one refunded").isEqualByComparingTo("2");
        assertThat(account.get("reserved").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void theDefaultTenantIsUnlimited() {
        JsonNode account = node.client().get("/api/account", TestNode.ADMIN_KEY).data();
        assertThat(account.get("tenant_id").asString()).isEqualTo("default");
        assertThat(account.get("billing").asString()).isEqualTo("unlimited");
        assertThat(node.client().post("/api/admin/tenants", "{\"id\":\"bad-billing\",\"billing\":\"free\"}", TestNode.ADMIN_KEY).status())
                .isEqualTo(400);
        assertThat(node.client().get("/api/admin/tenants", TestNode.ADMIN_KEY).data().toString()).doesNotContain("bad-billing");
    }

    @Test
    void anEstimateNeedsAKey() {
        var r = node.client().post("/api/generate/estimate", "{\"model\":\"z-image\",\"input\":{\"prompt\":\"x\",\"size\":\"1:1\"}}", null);
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void fiftyConcurrentSubmitsOnTwoNodesSharingPostgresAgainstABalanceForTenAcceptExactlyTen() throws Exception {
        var env = java.util.Map.of("PICTOR_DB_URL", dev.pictor.support.Postgres.newDatabase(), "PICTOR_DB_USER", "postgres");
        try (TestNode a = TestNode.start(env); TestNode b = TestNode.start(env)) {
            a.client().post("/api/admin/tenants", "{\"id\":\"shared\",\"billing\":\"prepaid\"}", TestNode.ADMIN_KEY);
            a.client().post("/api/admin/tenants/shared/credits", "{\"amount\":20,\"reason\":\"ten z-images\"}", TestNode.ADMIN_KEY);
            String k = a.client().post("/api/admin/keys", "{\"tenant_id\":\"shared\"}", TestNode.ADMIN_KEY).data().get("key").asString();
            assertThat(PostgresKeyLimitsTest.concurrentSubmits(a, b, k, 50)).isEqualTo(10);
            assertThat(a.pictor().store().list("shared", null, null, null, null, null, 100)).hasSize(10);
            assertThat(b.client().get("/api/account", k).data().get("balance").decimalValue()).as("all of it reserved or spent")
                    .isEqualByComparingTo("0");
            // once the ten have finished, each cost its 2 credits: nothing returns, nothing is charged twice
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    b.client().get("/api/account", k).data().get("reserved").decimalValue().signum() == 0);
            assertThat(b.client().get("/api/account", k).data().get("balance").decimalValue()).isEqualByComparingTo("0");
        }
    }
}
