package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.Postgres;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Scale-out: two nodes on one PostgreSQL share the queue, and a submit on one wakes the other at once. */
class PostgresNodesTest {

    @Test
    void aTaskSubmittedOnOneNodeIsRunAtOnceByAPeer() {
        String url = Postgres.newDatabase();
        Map<String, String> common = Map.of("PICTOR_DB_URL", url, "PICTOR_DB_USER", "postgres", "PICTOR_POLL_INTERVAL_MS", "60000");
        // Node A cannot run sandbox tasks (no slots), so only B can; B polls once a minute, so only
        // the NOTIFY from A's submit can make it start within the test's few seconds.
        var onlySubmits = new java.util.HashMap<>(common);
        onlySubmits.put("PICTOR_SANDBOX_CONCURRENCY", "0");
        try (TestNode a = TestNode.start(onlySubmits); TestNode b = TestNode.start(common)) {
            await(b); // B's first poll after start has passed; from now on only a wake-up brings work
            String id = a.client().submit(TestNode.ADMIN_KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"peer\",\"size\":\"1:1\"}"));
            var data = a.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(10));
            assertThat(data.get("status").asString()).isEqualTo("finished");
            assertThat(a.client().download(data.get("files").get(0).get("file_url").asString().replace(a.baseUrl(), b.baseUrl()))
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void twoNodesNeverSendOneEventTwiceAtOnceAndDeliverEachOnce() {
        String url = Postgres.newDatabase();
        Map<String, String> env = Map.of("PICTOR_DB_URL", url, "PICTOR_DB_USER", "postgres", "PICTOR_WEBHOOK_TIMEOUT_MS", "5000");
        try (var receiver = new dev.pictor.support.Receiver(new dev.pictor.support.Receiver.Reply(200, Duration.ofMillis(300), Map.of()));
             TestNode a = TestNode.start(env); TestNode b = TestNode.start(env)) {
            int tasks = 12;
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                TestNode via = i % 2 == 0 ? a : b;
                var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook/" + (i % 3)));
                body.set("input", Json.parse("{\"prompt\":\"n" + i + "\",\"size\":\"1:1\"}"));
                ids.add(via.client().post("/api/generate/submit", body, TestNode.ADMIN_KEY).data().get("task_id").asString());
            }
            var requests = receiver.awaitRequests(tasks, Duration.ofSeconds(30));
            for (String id : ids) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.client()
                        .get("/api/webhooks/events?task_id=" + id, TestNode.ADMIN_KEY).data().get("events").get(0).get("status").asString()
                        .equals("delivered"));
            }
            assertThat(receiver.requests()).hasSize(tasks);
            assertThat(requests.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(tasks);
        }
    }

    private static void await(TestNode node) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> node.client().get("/readyz", null).status() == 200);
    }
}
