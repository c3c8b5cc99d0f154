package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ChildNode;
import dev.pictor.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A real crash: a Pictor process is killed with SIGKILL while it runs a task, leaving its lease behind
 * in the database. The next process on the same data directory claims the task when the lease runs
 * out and finishes it.
 */
class CrashRecoveryTest {

    @Test
    void aTaskOfAKilledProcessIsFinishedByTheNextOne() throws Exception {
        Path dataDir = Files.createTempDirectory("pictor-crash-");
        Map<String, String> env = Map.of(
                "PICTOR_SANDBOX_LATENCY_MS", "600000", // the task is still running when the process dies
                "PICTOR_LEASE_SECONDS", "2");

        ChildNode child = ChildNode.start(dataDir, env);
        String taskId;
        try {
            ApiClient client = child.client();
            child.awaitReady(Duration.ofSeconds(60));
            taskId = client.submit(TestNode.ADMIN_KEY, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse(
                    "{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    client.get("/api/generate/status/" + taskId, TestNode.ADMIN_KEY).data().get("status").asString().equals("running"));
        } finally {
            child.kill(); // SIGKILL: no shutdown hook, no lease hand-back
        }
        assertThat(child.process().exitValue()).isEqualTo(137);

        try (TestNode next = TestNode.start(dataDir, Map.of("PICTOR_LEASE_SECONDS", "2"))) {
            JsonNode data = next.client().awaitTerminal(TestNode.ADMIN_KEY, taskId, Duration.ofSeconds(30));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("files")).hasSize(1);
            assertThat(next.client().download(data.get("files").get(0).get("file_url").asString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWebhookOfATaskThatFinishedBeforeTheCrashIsDeliveredOnceAfterRestart() throws Exception {
        Path dataDir = Files.createTempDirectory("pictor-crash-webhook-");
        // the task ends, its event is committed, nobody sends it yet
        Map<String, String> env = Map.of("PICTOR_WEBHOOK_DELIVERY", "false");

        try (var receiver = new dev.pictor.support.Receiver()) {
            ChildNode child = ChildNode.start(dataDir, env);
            String taskId;
            try {
                ApiClient client = child.client();
                child.awaitReady(Duration.ofSeconds(60));
                var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook"));
                body.set("input", Json.parse("{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
                taskId = client.post("/api/generate/submit", body, TestNode.ADMIN_KEY).data().get("task_id").asString();
                assertThat(client.awaitTerminal(TestNode.ADMIN_KEY, taskId, Duration.ofSeconds(20)).get("status").asString()).isEqualTo("finished");
            } finally {
                child.kill();
            }
            assertThat(receiver.requests()).isEmpty();

            try (TestNode next = TestNode.start(dataDir, Map.of())) {
                var request = receiver.awaitRequests(1, Duration.ofSeconds(15)).getFirst();
                assertThat(Json.parse(request.body()).get("data").get("task_id").asString()).isEqualTo(taskId);
                await().atMost(Duration.ofSeconds(10)).until(() -> next.client().get("/api/webhooks/events?task_id=" + taskId, TestNode.ADMIN_KEY)
                        .data().get("events").get(0).get("status").asString().equals("delivered"));
                assertThat(receiver.requests()).hasSize(1);
            }
        }
    }
}
