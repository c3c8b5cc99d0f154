package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesAndOpsTest {
    private TestNode node;

    @BeforeAll
    void start() {
        node = TestNode.start(Map.of("PICTOR_PUBLIC_BASE_URL", "https://images.example.com/pictor/"));
    }

    @AfterAll
    void stop() {
        node.close();
    }

    @Test
    void fileUrlsUseThePublicBaseAndRefuseTampering() {
        String id = node.client().submit(TestNode.ADMIN_KEY, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse(
                "{\"prompt\":\"a\",\"size\":\"1:1\"}"));
        var data = node.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(10));
        String url = ApiClient.fileUrls(data).getFirst();
        assertThat(url).startsWith("https://images.example.com/pictor/files/" + id + "/0.png?expires=");
        String local = node.baseUrl() + url.substring("https://images.example.com/pictor".length());
        assertThat(node.client().download(local).statusCode()).isEqualTo(200);
        assertThat(node.client().download(local.replace("sig=", "sig=A")).statusCode()).isEqualTo(403);
        assertThat(node.client().download(local.replaceAll("&sig=.*", "")).statusCode()).isEqualTo(403);
        assertThat(node.client().download(local.replace("/0.png", "/1.png")).statusCode()).isEqualTo(403);
        assertThat(node.client().download(node.baseUrl() + "/files/..%2F..%2Fetc/passwd?expires=1&sig=x").statusCode()).isEqualTo(404);
    }

    @Test
    void healthReadinessAndMetrics() {
        assertThat(node.client().get("/healthz", null).status()).isEqualTo(200);
        var ready = node.client().get("/readyz", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().get("database").asBoolean()).isTrue();
        assertThat(ready.body().get("storage").asBoolean()).isTrue();

        node.client().submit(TestNode.ADMIN_KEY, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse("{\"prompt\":\"m\",\"size\":\"1:1\"}"));
        var metrics = node.client().download(node.baseUrl() + "/metrics");
        String text = new String(metrics.body());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(text).contains("pictor_tasks_submitted_total{model=\"z-image\"}", "pictor_queue_depth", "pictor_tasks{",
                "pictor_db_group_commit_batches_total", "pictor_db_group_commit_units_total", "pictor_db_group_commit_reruns_total");
    }
}
