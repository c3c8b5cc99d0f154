package dev.pictor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ChildNode;
import dev.pictor.support.Postgres;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A rolling restart's one step: a node gets SIGTERM (what {@code systemctl restart} sends) while it
 * runs a task, holds a wait-mode request and streams events. Its {@code /readyz} must turn 503 while
 * the port is still open, the wait must get a 200 with the task's state of the moment, the stream must
 * end with a {@code reconnect} event, and the running task, handed back past the grace period, must be
 * finished by the peer.
 */
class RollingRestartTest {

    @Test
    void aNodeStoppedWithSigtermDrainsFirstAndLosesNothing() throws Exception {
        String dbUrl = Postgres.newDatabase();
        Map<String, String> env = Map.of(
                "PICTOR_DB_URL", dbUrl,
                "PICTOR_DB_USER", "postgres",
                "PICTOR_SANDBOX_LATENCY_MS", "15000",
                "PICTOR_SHUTDOWN_DRAIN_MS", "1500",
                "PICTOR_SHUTDOWN_GRACE_SECONDS", "1",
                "PICTOR_LEASE_SECONDS", "2");
        try (ChildNode stopping = ChildNode.start(Files.createTempDirectory("pictor-rolling-a-"), env);
             Connection db = DriverManager.getConnection(dbUrl, "postgres", "")) {
            stopping.awaitReady(Duration.ofSeconds(60));
            // Both tasks start on the stopping node while it is alone, so the hand-back is always exercised;
            // the peer comes up while they run (the sandbox takes 15 s).
            String running = stopping.client().submit(TestNode.ADMIN_KEY, "z-image", (tools.jackson.databind.node.ObjectNode)
                    Json.parse("{\"prompt\":\"streamed\",\"size\":\"1:1\"}"));
            HttpClient http = HttpClient.newHttpClient();
            var waitBody = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"waited\",\"size\":\"1:1\"}}";
            CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(HttpRequest.newBuilder(URI.create(stopping.baseUrl()
                            + "/api/generate/submit")).header("Authorization", "Bearer " + TestNode.ADMIN_KEY).header("Prefer", "wait=60")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(waitBody)).build(),
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> stream = http.sendAsync(HttpRequest.newBuilder(URI.create(stopping.baseUrl()
                    + "/api/generate/events/" + running)).header("Authorization", "Bearer " + TestNode.ADMIN_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> heldBy(db, stopping.nodeId()) == 2);
            try (ChildNode peer = ChildNode.start(Files.createTempDirectory("pictor-rolling-b-"), env)) {
                peer.awaitReady(Duration.ofSeconds(60));
                assertThat(heldBy(db, stopping.nodeId())).as("both tasks still run on the stopping node").isEqualTo(2);
                stopping.terminate();
                List<Integer> readiness = new ArrayList<>();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    int status = stopping.status("/readyz");
                    if (readiness.isEmpty() || readiness.getLast() != status) {
                        readiness.add(status);
                    }
                    return status == -1;
                });
                assertThat(readiness).as("readyz answers, in order").containsSubsequence(503, -1).doesNotContain(500, 502, 504);
                assertThat(readiness.subList(readiness.indexOf(503), readiness.size())).containsExactly(503, -1);

                HttpResponse<String> waited = waiting.get(10, TimeUnit.SECONDS);
                assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
                JsonNode waitedData = Json.parse(waited.body()).get("data");
                assertThat(waitedData.get("status").asString()).isIn("not_started", "running");

                HttpResponse<String> events = stream.get(10, TimeUnit.SECONDS);
                assertThat(events.statusCode()).isEqualTo(200);
                assertThat(events.body()).contains("event: status", "event: reconnect", "\"reason\":\"node_shutting_down\"");

                assertThat(stopping.waitFor(Duration.ofSeconds(20))).as("the node exits after its grace period").isTrue();
                for (String id : List.of(running, waitedData.get("task_id").asString())) {
                    JsonNode data = peer.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(60));
                    assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                    assertThat(peer.client().download(data.get("files").get(0).get("file_url").asString()
                            .replaceFirst("^http://[^/]+", peer.baseUrl())).statusCode()).isEqualTo(200);
                }
            }
        }
    }

    /** Queue rows leased by {@code nodeId}, or by anyone when it is null. */
    private static long heldBy(Connection db, String nodeId) throws SQLException {
        try (var s = db.prepareStatement("SELECT count(*) FROM task_queue WHERE lease_owner IS NOT NULL AND (? IS NULL OR lease_owner = ?)")) {
            s.setString(1, nodeId);
            s.setString(2, nodeId);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
