package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** {@code DELETE /api/generate/tasks/{id}/files}: the owner removes an ended task's files. */
class FileDeletionTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Response delete(TestNode node, String taskId, String key) {
        return node.client().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/tasks/" + taskId + "/files"))
                .header("Authorization", "Bearer " + key).DELETE().build());
    }

    @Test
    void theOwnerDeletesAnEndedTasksFilesAndTheirLinksStopWorking() {
        try (TestNode node = TestNode.start()) {
            String id = node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"keep briefly\",\"size\":\"1:1\"}"));
            List<String> urls = ApiClient.fileUrls(node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10)));
            assertThat(node.client().download(urls.getFirst()).statusCode()).isEqualTo(200);

            node.client().post("/api/admin/tenants", "{\"id\":\"stranger\"}", KEY);
            String other = node.client().post("/api/admin/keys", "{\"tenant_id\":\"stranger\"}", KEY).data().get("key").asString();
            assertThat(delete(node, id, other).status()).isEqualTo(404);
            assertThat(node.client().download(urls.getFirst()).statusCode()).isEqualTo(200);

            Response deleted = delete(node, id, KEY);
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
            assertThat(deleted.data().get("files_deleted").asInt()).isEqualTo(1);
            assertThat(deleted.data().get("files")).isEmpty();
            assertThat(deleted.data().get("status").asString()).isEqualTo("finished");
            assertThat(node.client().get("/api/generate/status/" + id, KEY).data().get("files")).isEmpty();
            assertThat(node.client().download(urls.getFirst()).statusCode()).isEqualTo(404);
            assertThat(delete(node, id, KEY).data().get("files_deleted").asInt()).isZero();
        }
    }

    @Test
    void aRunningTasksFilesCannotBeDeleted() {
        try (TestNode node = TestNode.start()) {
            String id = node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"[sandbox:hang]\",\"size\":\"1:1\"}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> node.client().get("/api/generate/status/" + id, KEY).data()
                    .get("status").asString().equals("running"));
            Response r = delete(node, id, KEY);
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.errorType()).isEqualTo("conflict_error");
        }
    }
}
