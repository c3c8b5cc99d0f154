package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /api/generate/tasks?ids=...}: many tasks in one read, only the caller's. */
class BatchStatusTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void manyIdsInOneCallAnswerTheCallersTasksOnlyInTheListShape() {
        try (TestNode node = TestNode.start()) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                mine.add(node.client().submit(KEY, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"batch " + i + "\",\"size\":\"1:1\"}")));
            }
            mine.forEach(id -> node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10)));
            node.client().post("/api/admin/tenants", "{\"id\":\"batcher\"}", KEY);
            String otherKey = node.client().post("/api/admin/keys", "{\"tenant_id\":\"batcher\"}", KEY).data().get("key").asString();
            String foreign = node.client().submit(otherKey, "z-image", (ObjectNode) Json.parse("{\"prompt\":\"not yours\",\"size\":\"1:1\"}"));

            String ids = String.join(",", mine.get(0), foreign, "task-unified-1-unknown", mine.get(2), "nonsense", mine.get(1), mine.get(0));
            Response r = node.client().get("/api/generate/tasks?ids=" + ids, KEY);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            List<String> seen = new ArrayList<>();
            r.data().get("tasks").forEach(t -> seen.add(t.get("task_id").asString()));
            assertThat(seen).containsExactlyElementsOf(mine.reversed());
            assertThat(r.data().get("tasks").get(0).get("status").asString()).isEqualTo("finished");
            assertThat(r.data().get("tasks").get(0).get("files")).hasSize(1);
            assertThat(r.data().get("has_more").asBoolean()).isFalse();
            assertThat(r.data().get("next_cursor").isNull()).isTrue();

            Response theirs = node.client().get("/api/generate/tasks?ids=" + ids, otherKey);
            assertThat(theirs.data().get("tasks")).hasSize(1);
            assertThat(theirs.data().get("tasks").get(0).get("task_id").asString()).isEqualTo(foreign);
        }
    }

    @Test
    void overAHundredIdsOrIdsWithOtherFiltersAreRejected() {
        try (TestNode node = TestNode.start()) {
            String hundred = String.join(",", Collections.nCopies(100, "task-unified-1-abcd"));
            assertThat(node.client().get("/api/generate/tasks?ids=" + hundred, KEY).status()).isEqualTo(200);
            Response over = node.client().get("/api/generate/tasks?ids=" + hundred + ",task-unified-2-abcd", KEY);
            assertThat(over.status()).isEqualTo(400);
            assertThat(over.body().get("error").get("param").asString()).isEqualTo("ids");
            assertThat(over.errorMessage()).contains("101").contains("100");
            assertThat(node.client().get("/api/generate/tasks?ids=", KEY).status()).isEqualTo(400);
            assertThat(node.client().get("/api/generate/tasks?ids=task-unified-1-abcd&status=finished", KEY).status()).isEqualTo(400);
        }
    }
}
