package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.Receiver;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Wait mode, idempotent submit, cancel, listing, queue position and server-sent events. */
class TaskControlTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String BODY = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"%s\",\"size\":\"1:1\"}}";

    private static Response submit(TestNode node, String prompt, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/submit"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted(prompt)));
        headers.forEach(request::header);
        return node.client().send(request.build());
    }

    @Test
    void waitModeAnswersWithTheFinishedTaskOrWhatThereIsWhenTheWaitEnds() {
        try (TestNode node = TestNode.start(Map.of("PICTOR_SANDBOX_LATENCY_MS", "300"))) {
            Response done = submit(node, "wait for me", Map.of("Prefer", "wait=20"));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.raw().headers().firstValue("Preference-Applied")).hasValue("wait=20");
            assertThat(done.data().get("status").asString()).isEqualTo("finished");
            assertThat(done.data().get("files")).hasSize(1);

            Response pending = submit(node, "[sandbox:hang]", Map.of("Prefer", "respond-async, wait=1"));
            assertThat(pending.data().get("status").asString()).isIn("not_started", "running");
            assertThat(pending.data().has("files")).isTrue();
        }
    }

    @Test
    void fiftyConcurrentSubmitsWithOneKeyCreateOneTask() throws Exception {
        try (TestNode node = TestNode.start()) {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(() -> submit(node, "same", Map.of("Idempotency-Key", "order-42")));
            }
            List<Response> answers = new ArrayList<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<Response> f : pool.invokeAll(calls)) {
                    answers.add(f.get());
                }
            }
            assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
            Set<String> ids = new HashSet<>();
            answers.forEach(r -> ids.add(r.data().get("task_id").asString()));
            assertThat(ids).hasSize(1);
            assertThat(answers.stream().filter(r -> r.raw().headers().firstValue("Idempotent-Replayed").isPresent())).hasSize(49);
            assertThat(node.pictor().store().list("default", null, null, null, null, null, 100)).hasSize(1);

            Response other = submit(node, "different", Map.of("Idempotency-Key", "order-42"));
            assertThat(other.status()).isEqualTo(409);
            assertThat(other.errorType()).isEqualTo("conflict_error");
            assertThat(other.body().get("error").get("param").asString()).isEqualTo("Idempotency-Key");
            assertThat(submit(node, "same", Map.of("Idempotency-Key", "another")).data().get("task_id").asString()).isNotIn(ids);
            assertThat(submit(node, "same", Map.of("Idempotency-Key", "bad key")).status()).isEqualTo(400);
            // An invalid request with a key stores nothing, and does not take the key.
            var invalid = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/submit")).header("Authorization", "Bearer " + KEY)
                    .header("Idempotency-Key", "k-invalid").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"z-image\",\"input\":{\"prompt\":\"x\"}}")).build();
            assertThat(node.client().send(invalid).status()).isEqualTo(400);
            assertThat(submit(node, "fine", Map.of("Idempotency-Key", "k-invalid")).status()).isEqualTo(200);
        }
    }

    @Test
    void cancellingAQueuedTaskEndsItAtOnceAndFiresItsWebhook() {
        try (TestNode node = TestNode.start(Map.of("PICTOR_SANDBOX_CONCURRENCY", "0")); Receiver receiver = new Receiver()) {
            var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook"));
            body.set("input", Json.parse("{\"prompt\":\"never runs\",\"size\":\"1:1\"}"));
            String id = node.client().post("/api/generate/submit", body, KEY).data().get("task_id").asString();
            assertThat(node.client().get("/api/generate/status/" + id, KEY).data().get("queue_position").asInt()).isZero();

            Response cancel = node.client().post("/api/generate/cancel/" + id, "", KEY);
            assertThat(cancel.status()).isEqualTo(200);
            assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");
            assertThat(cancel.data().get("status").asString()).isEqualTo("failed");
            assertThat(cancel.data().get("error_code").asString()).isEqualTo("cancelled");
            assertThat(node.client().post("/api/generate/cancel/" + id, "", KEY).data().get("cancel_result").asString()).isEqualTo("already_cancelled");

            JsonNode hook = Json.parse(receiver.awaitRequests(1, Duration.ofSeconds(10)).getFirst().body());
            assertThat(hook.get("data").get("error_code").asString()).isEqualTo("cancelled");
            assertThat(node.client().post("/api/generate/cancel/task-unified-1-doesnotexist", "", KEY).status()).isEqualTo(404);
        }
    }

    @Test
    void cancellingARunningTaskStopsItsGeneration() {
        // One sandbox slot: a task submitted after the cancel can only finish within its wait if the
        // cancelled minute-long generation was really interrupted and gave the slot back.
        try (TestNode node = TestNode.start(Map.of("PICTOR_SANDBOX_CONCURRENCY", "1"))) {
            String slow = submit(node, "[sandbox:delay=60000] slow", Map.of()).data().get("task_id").asString();
            await().atMost(Duration.ofSeconds(10)).until(() -> node.client().get("/api/generate/status/" + slow, KEY).data()
                    .get("status").asString().equals("running"));
            Response cancel = node.client().post("/api/generate/cancel/" + slow, "", KEY);
            assertThat(cancel.data().get("cancel_result").asString()).isEqualTo("cancelled");

            Response next = submit(node, "after the cancel", Map.of("Prefer", "wait=10"));
            assertThat(next.data().get("status").asString()).isEqualTo("finished");
            assertThat(node.client().get("/api/generate/status/" + slow, KEY).data().get("error_code").asString()).isEqualTo("cancelled");
        }
    }

    @Test
    void aCancelRacingCompletionEndsInExactlyOneStateAndSaysWhich() {
        try (TestNode node = TestNode.start()) {
            int cancelled = 0;
            int finished = 0;
            for (int i = 0; i < 60; i++) {
                String id = submit(node, "race " + i, Map.of()).data().get("task_id").asString();
                Response cancel = node.client().post("/api/generate/cancel/" + id, "", KEY);
                assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
                String result = cancel.data().get("cancel_result").asString();
                JsonNode end = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10));
                if (result.equals("cancelled")) {
                    cancelled++;
                    assertThat(end.get("status").asString()).isEqualTo("failed");
                    assertThat(end.get("error_code").asString()).isEqualTo("cancelled");
                    assertThat(end.get("files")).isEmpty();
                } else {
                    finished++;
                    assertThat(result).isEqualTo("already_finished");
                    assertThat(end.get("status").asString()).isEqualTo("finished");
                    assertThat(end.get("files")).hasSize(1);
                }
                assertThat(cancel.data().get("status").asString()).isEqualTo(end.get("status").asString());
            }
            assertThat(cancelled + finished).isEqualTo(60);
        }
    }

    @Test
    void theTaskListPagesNewestFirstWithFiltersAndOnlyTheCallersTasks() {
        try (TestNode node = TestNode.start()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(submit(node, "list " + i, Map.of()).data().get("task_id").asString());
            }
            ids.forEach(id -> node.client().awaitTerminal(KEY, id, Duration.ofSeconds(10)));
            node.client().submit(KEY, "nano-banana-2", (ObjectNode) Json.parse("{\"prompt\":\"other model\"}"));

            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Response page = node.client().get("/api/generate/tasks?model=z-image&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), KEY);
                assertThat(page.status()).isEqualTo(200);
                page.data().get("tasks").forEach(t -> seen.add(t.get("task_id").asString()));
                cursor = page.data().get("next_cursor").isNull() ? null : page.data().get("next_cursor").asString();
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactlyElementsOf(ids.reversed());

            assertThat(node.client().get("/api/generate/tasks?status=finished&model=z-image", KEY).data().get("tasks")).hasSize(5);
            assertThat(node.client().get("/api/generate/tasks?status=bogus", KEY).status()).isEqualTo(400);
            assertThat(node.client().get("/api/generate/tasks?cursor=xyz", KEY).status()).isEqualTo(400);
            assertThat(node.client().get("/api/generate/tasks?since=2999-01-01T00:00:00Z", KEY).data().get("tasks")).isEmpty();

            node.client().post("/api/admin/tenants", "{\"id\":\"lister\"}", KEY);
            String other = node.client().post("/api/admin/keys", "{\"tenant_id\":\"lister\"}", KEY).data().get("key").asString();
            assertThat(node.client().get("/api/generate/tasks", other).data().get("tasks")).isEmpty();
        }
    }

    @Test
    void queuePositionCountsTheTasksAhead() {
        try (TestNode node = TestNode.start(Map.of("PICTOR_SANDBOX_CONCURRENCY", "1", "PICTOR_SANDBOX_LATENCY_MS", "60000"))) {
            String running = submit(node, "first", Map.of()).data().get("task_id").asString();
            await().atMost(Duration.ofSeconds(10)).until(() -> node.client().get("/api/generate/status/" + running, KEY).data()
                    .get("status").asString().equals("running"));
            String second = submit(node, "second", Map.of()).data().get("task_id").asString();
            String third = submit(node, "third", Map.of()).data().get("task_id").asString();
            assertThat(node.client().get("/api/generate/status/" + running, KEY).data().get("queue_position").isNull()).isTrue();
            assertThat(node.client().get("/api/generate/status/" + second, KEY).data().get("queue_position").asInt()).isZero();
            assertThat(node.client().get("/api/generate/status/" + third, KEY).data().get("queue_position").asInt()).isEqualTo(1);
            node.client().post("/api/generate/cancel/" + second, "", KEY);
            assertThat(node.client().get("/api/generate/status/" + third, KEY).data().get("queue_position").asInt()).isZero();
            node.client().post("/api/generate/cancel/" + running, "", KEY);
            node.client().post("/api/generate/cancel/" + third, "", KEY);
        }
    }

    @Test
    void serverSentEventsFollowTheTaskToItsEndInOrder() throws Exception {
        try (TestNode node = TestNode.start(Map.of("PICTOR_SANDBOX_LATENCY_MS", "1500", "PICTOR_SANDBOX_CONCURRENCY", "1"))) {
            String blocker = submit(node, "blocker", Map.of()).data().get("task_id").asString();
            String id = submit(node, "streamed", Map.of()).data().get("task_id").asString();
            var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/events/" + id))
                    .header("Authorization", "Bearer " + KEY).header("Accept", "text/event-stream").build();
            HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<JsonNode> events = response.body().filter(l -> l.startsWith("data: ")).map(l -> Json.parse(l.substring(6))).toList();

            List<String> statuses = events.stream().map(e -> e.get("status").asString()).toList();
            assertThat(statuses.getFirst()).isEqualTo("not_started");
            assertThat(events.getFirst().get("queue_position").asInt()).isZero();
            assertThat(statuses).contains("running");
            assertThat(statuses.getLast()).isEqualTo("finished");
            assertThat(statuses.indexOf("running")).isGreaterThan(statuses.lastIndexOf("not_started"));
            List<Integer> progress = events.stream().filter(e -> e.get("status").asString().equals("running")).map(e -> e.get("progress").asInt()).toList();
            assertThat(progress).hasSizeGreaterThan(2).isSorted();
            assertThat(events.getLast().get("files")).hasSize(1);
            node.client().awaitTerminal(KEY, blocker, Duration.ofSeconds(10));

            Response missing = node.client().get("/api/generate/events/task-unified-1-nosuchtask00", KEY);
            assertThat(missing.status()).isEqualTo(404);
        }
    }
}
