package dev.pictor.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.Postgres;
import dev.pictor.support.Receiver;
import dev.pictor.support.TestNode;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Issue 17, item 1: a callback URL that can never be delivered is refused, and one already stored still ends. */
class UndeliverableCallbackTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Response submit(TestNode node, String callbackUrl) {
        var body = Json.object().put("model", "z-image").put("callback_url", callbackUrl);
        body.set("input", Json.parse("{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
        return node.client().post("/api/generate/submit", body, KEY);
    }

    @Test
    void callbackUrlsWithAnImpossiblePortOrAuthorityAreRefusedAtSubmit() {
        try (TestNode node = TestNode.start()) {
            for (String url : new String[] {"http://127.0.0.1:65536/x", "http://127.0.0.1:0/x", "http://127.0.0.1:99999/x",
                    "https://example.com:4294967297/x", "http://127.0.0.1:abc/x", "http://[::1/x"}) {
                Response r = submit(node, url);
                assertThat(r.status()).as(url + " -> " + r).isEqualTo(400);
                assertThat(r.body().path("error").path("param").asString()).as(url).isEqualTo("callback_url");
            }
            assertThat(node.client().get("/api/generate/tasks", KEY).data().path("tasks").size()).isZero();
        }
    }

    /** An event stored before the check existed (or by an older node) is attempted, counted, and ends dead. */
    @Test
    void anEventWhoseUrlCannotBeUsedCountsEveryAttemptAndEndsDead() throws Exception {
        String db = Postgres.newDatabase();
        Map<String, String> quiet = new HashMap<>(Map.of("PICTOR_DB_URL", db, "PICTOR_DB_USER", "postgres",
                "PICTOR_WEBHOOK_DELIVERY", "false"));
        try (Receiver receiver = new Receiver(); TestNode submitter = TestNode.start(quiet)) {
            String taskId = submit(submitter, receiver.url("/hook")).data().get("task_id").asString();
            submitter.client().awaitTerminal(KEY, taskId, Duration.ofSeconds(15));
            try (var c = DriverManager.getConnection(db, "postgres", ""); var s = c.prepareStatement(
                    "UPDATE webhook_event SET url = 'http://127.0.0.1:65536/x' WHERE task_id = ?")) {
                s.setString(1, taskId);
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            Map<String, String> delivering = Map.of("PICTOR_DB_URL", db, "PICTOR_DB_USER", "postgres",
                    "PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,0s");
            try (TestNode deliverer = TestNode.start(delivering)) {
                JsonNode[] event = new JsonNode[1];
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    event[0] = deliverer.client().get("/api/webhooks/events?task_id=" + taskId, KEY).data().get("events").get(0);
                    return event[0].get("status").asString().equals("dead");
                });
                assertThat(event[0].get("attempts").asInt()).isEqualTo(2); // one per entry of the schedule
                JsonNode detail = deliverer.client().get("/api/webhooks/events/" + event[0].get("id").asString(), KEY).data();
                assertThat(detail.toString()).contains("port");
            }
            assertThat(receiver.requests()).isEmpty();
        }
    }
}
