package dev.pictor.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.Receiver;
import dev.pictor.support.Receiver.Reply;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A submit's {@code webhook_events}: which events a callback gets, each signed and with its own id, in order per task. */
class WebhookEventsTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static Response submit(TestNode node, String prompt, String callback, String events) {
        String body = "{\"model\":\"z-image\",\"input\":{\"prompt\":\"" + prompt + "\",\"size\":\"1:1\"}"
                + (callback == null ? "" : ",\"callback_url\":\"" + callback + "\"")
                + (events == null ? "" : ",\"webhook_events\":" + events) + "}";
        return node.client().post("/api/generate/submit", body, KEY);
    }

    @Test
    void runningProgressAndFinishedArriveInOrderEachSignedWithItsOwnIdEvenAfterAFailedDelivery() throws Exception {
        try (TestNode node = TestNode.start(Map.of("PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,1s,1s"));
             Receiver receiver = new Receiver()) {
            receiver.script(Reply.status(500)); // the running event fails once; nothing after it may overtake it
            Response r = submit(node, "steps [sandbox:delay=800]", receiver.url("/hook"), "[\"running\",\"progress\",\"finished\"]");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            String taskId = r.data().get("task_id").asString();
            node.client().awaitTerminal(KEY, taskId, Duration.ofSeconds(15));
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().stream()
                    .anyMatch(q -> Json.parse(q.body()).path("event").asString("").equals("finished")));

            String secret = node.client().get("/api/webhooks/secret", KEY).data().get("secret").asString();
            List<Receiver.Request> requests = receiver.requests();
            List<String> kinds = requests.stream().map(q -> Json.parse(q.body()).get("event").asString()).toList();
            assertThat(kinds.getFirst()).isEqualTo("running");
            assertThat(kinds.get(1)).as("the failed running event is retried before anything else goes out").isEqualTo("running");
            assertThat(kinds.getLast()).isEqualTo("finished");
            assertThat(kinds).contains("progress");
            assertThat(kinds.subList(2, kinds.size() - 1)).containsOnly("progress");

            int lastProgress = -1;
            Set<String> ids = new HashSet<>();
            for (Receiver.Request q : requests.subList(1, requests.size())) {
                new Webhook(secret).verify(q.body(), new HashMap<>(q.headers()));
                assertThat(ids.add(q.header("webhook-id"))).as("one id per event").isTrue();
                JsonNode data = Json.parse(q.body()).get("data");
                assertThat(data.get("task_id").asString()).isEqualTo(taskId);
                assertThat(data.get("progress").asInt()).isGreaterThanOrEqualTo(lastProgress);
                lastProgress = data.get("progress").asInt();
            }
            assertThat(requests.get(0).header("webhook-id")).isEqualTo(requests.get(1).header("webhook-id"));
            assertThat(Json.parse(requests.getLast().body()).get("data").get("status").asString()).isEqualTo("finished");
        }
    }

    @Test
    void theDefaultIsTheTerminalEventAndAChosenListLeavesTheOthersOut() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            String plain = submit(node, "plain", receiver.url("/plain"), null).data().get("task_id").asString();
            String onlyFailed = submit(node, "only failures", receiver.url("/failed"), "[\"failed\"]").data().get("task_id").asString();
            String fails = submit(node, "[sandbox:fail]", receiver.url("/failed"), "[\"failed\"]").data().get("task_id").asString();
            List.of(plain, onlyFailed, fails).forEach(id -> node.client().awaitTerminal(KEY, id, Duration.ofSeconds(15)));
            await().atMost(Duration.ofSeconds(15)).until(() -> receiver.requests().size() >= 2);
            assertThat(node.client().get("/api/webhooks/events?task_id=" + plain, KEY).data().get("events")).hasSize(1);
            assertThat(node.client().get("/api/webhooks/events?task_id=" + onlyFailed, KEY).data().get("events")).isEmpty();
            assertThat(node.client().get("/api/webhooks/events?task_id=" + fails, KEY).data().get("events")).hasSize(1);
            assertThat(receiver.requests()).extracting(q -> Json.parse(q.body()).get("event").asString()).containsExactlyInAnyOrder("finished", "failed");
        }
    }

    @Test
    void badWebhookEventsAre400s() {
        try (TestNode node = TestNode.start(); Receiver receiver = new Receiver()) {
            Response noCallback = submit(node, "x", null, "[\"running\"]");
            assertThat(noCallback.status()).isEqualTo(400);
            assertThat(noCallback.body().get("error").get("param").asString()).isEqualTo("webhook_events");
            Response unknown = submit(node, "x", receiver.url("/h"), "[\"running\",\"started\"]");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body().get("error").get("param").asString()).isEqualTo("webhook_events[1]");
            assertThat(submit(node, "x", receiver.url("/h"), "[]").status()).isEqualTo(400);
            assertThat(node.pictor().store().list("default", null, null, null, null, null, 100)).isEmpty();
        }
    }
}
