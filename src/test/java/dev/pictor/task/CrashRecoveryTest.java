package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.TestNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
        int port = freePort();
        Map<String, String> env = new HashMap<>(TestNode.defaults(dataDir));
        env.put("PICTOR_PORT", Integer.toString(port));
        env.put("PICTOR_SANDBOX_LATENCY_MS", "600000"); // the task is still running when the process dies
        env.put("PICTOR_LEASE_SECONDS", "2");

        Process child = startChild(env);
        String taskId;
        try {
            var client = new ApiClient("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> healthy(port));
            taskId = client.submit(TestNode.ADMIN_KEY, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse(
                    "{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    client.get("/api/generate/status/" + taskId, TestNode.ADMIN_KEY).data().get("status").asString().equals("running"));
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no lease hand-back
            child.waitFor();
        }
        assertThat(child.exitValue()).isEqualTo(137);

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
        int port = freePort();
        Map<String, String> env = new HashMap<>(TestNode.defaults(dataDir));
        env.put("PICTOR_PORT", Integer.toString(port));
        env.put("PICTOR_WEBHOOK_DELIVERY", "false"); // the task ends, its event is committed, nobody sends it yet

        try (var receiver = new dev.pictor.support.Receiver()) {
            Process child = startChild(env);
            String taskId;
            try {
                var client = new ApiClient("http://127.0.0.1:" + port);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> healthy(port));
                var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook"));
                body.set("input", Json.parse("{\"prompt\":\"a fox\",\"size\":\"1:1\"}"));
                taskId = client.post("/api/generate/submit", body, TestNode.ADMIN_KEY).data().get("task_id").asString();
                assertThat(client.awaitTerminal(TestNode.ADMIN_KEY, taskId, Duration.ofSeconds(20)).get("status").asString()).isEqualTo("finished");
            } finally {
                child.destroyForcibly();
                child.waitFor();
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

    private static Process startChild(Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.pictor.Main"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    private static boolean healthy(int port) {
        try {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
