package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.Receiver;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A submit's top-level {@code metadata}: bounded, stored, shown, filterable, in the webhook and the idempotency hash. */
class MetadataTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static String body(String metadata) {
        return "{\"model\":\"z-image\",\"input\":{\"prompt\":\"labelled\",\"size\":\"1:1\"},\"metadata\":" + metadata + "}";
    }

    private static Response submit(TestNode node, String body, String idempotencyKey) {
        var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/submit"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return node.client().send(request.build());
    }

    @Test
    void metadataComesBackInTheStatusTheListAndTheWebhook() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            String withHook = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"labelled\",\"size\":\"1:1\"},\"callback_url\":\""
                    + receiver.url("/hook") + "\",\"metadata\":{\"user\":\"u-7\",\"order\":\"o-1\"}}";
            Response first = submit(node, withHook, null);
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            String a = first.data().get("task_id").asString();
            String b = submit(node, body("{\"user\":\"u-7\",\"order\":\"o-2\"}"), null).data().get("task_id").asString();
            String c = submit(node, body("{\"user\":\"u-8\"}"), null).data().get("task_id").asString();
            String none = node.client().submit(KEY, "z-image", (tools.jackson.databind.node.ObjectNode) Json.parse("{\"prompt\":\"x\",\"size\":\"1:1\"}"));
            List.of(a, b, c, none).forEach(id -> node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10)));

            JsonNode status = node.client().get("/api/generate/status/" + a, KEY).data();
            assertThat(status.get("metadata")).isEqualTo(Json.parse("{\"order\":\"o-1\",\"user\":\"u-7\"}"));
            assertThat(node.client().get("/api/generate/status/" + none, KEY).data().get("metadata")).isEqualTo(Json.object());

            assertThat(ids(node.client().get("/api/generate/tasks?metadata.user=u-7", KEY))).containsExactly(b, a);
            assertThat(ids(node.client().get("/api/generate/tasks?metadata.order=o-2", KEY))).containsExactly(b);
            assertThat(ids(node.client().get("/api/generate/tasks?metadata.user=u-9", KEY))).isEmpty();
            assertThat(node.client().get("/api/generate/tasks?metadata.user=u-7", KEY).data().get("tasks").get(0).get("metadata").get("order")
                    .asString()).isEqualTo("o-2");
            assertThat(node.client().get("/api/generate/tasks?metadata.user=u-7&metadata.order=o-1", KEY).status()).isEqualTo(400);

            Receiver.Request hook = receiver.awaitRequests(1, Duration.ofSeconds(15)).getFirst();
            assertThat(Json.parse(hook.body()).get("data").get("metadata").get("user").asString()).isEqualTo("u-7");
        }
    }

    @Test
    void metadataIsPartOfTheIdempotentRequest() {
        try (TestNode node = TestNode.start()) {
            Response first = submit(node, body("{\"user\":\"u-1\"}"), "meta-key");
            Response same = submit(node, body("{\"user\":\"u-1\"}"), "meta-key");
            assertThat(same.data().get("task_id").asString()).isEqualTo(first.data().get("task_id").asString());
            assertThat(same.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
            Response other = submit(node, body("{\"user\":\"u-2\"}"), "meta-key");
            assertThat(other.status()).isEqualTo(409);
        }
    }

    @Test
    void oversizedOrNonStringMetadataIsA400NamingTheKeyAndNothingIsStored() {
        try (TestNode node = TestNode.start()) {
            assertRejected(node, "{\"user\":7}", "metadata.user");
            assertRejected(node, "{\"note\":\"" + "x".repeat(513) + "\"}", "metadata.note");
            assertRejected(node, "{\"" + "k".repeat(65) + "\":\"v\"}", "metadata." + "k".repeat(64) + "...");
            assertRejected(node, "[\"a\"]", "metadata");
            var many = new StringBuilder("{");
            for (int i = 0; i < 17; i++) {
                many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
            }
            assertRejected(node, many.append("}").toString(), "metadata");
            var big = new StringBuilder("{");
            for (int i = 0; i < 9; i++) {
                big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("v".repeat(500)).append("\"");
            }
            assertRejected(node, big.append("}").toString(), "metadata");
            assertThat(node.pictor().store().list("default", null, null, null, null, null, 100)).isEmpty();

            var sixteen = new StringBuilder("{");
            for (int i = 0; i < 16; i++) {
                sixteen.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("v".repeat(200)).append("\"");
            }
            assertThat(submit(node, body(sixteen.append("}").toString()), null).status()).isEqualTo(200);
        }
    }

    private static void assertRejected(TestNode node, String metadata, String param) {
        Response r = submit(node, body(metadata), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body().get("error").get("param").asString()).isEqualTo(param);
    }

    private static List<String> ids(Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.data().get("tasks").forEach(t -> ids.add(t.get("task_id").asString()));
        return ids;
    }
}
