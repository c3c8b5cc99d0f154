package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ChildNode;
import dev.pictor.support.Postgres;
import dev.pictor.support.Receiver;
import dev.pictor.support.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Repeated kill -9 with webhooks counted (issue 17, "Also keep proving what holds"): rounds of a child
 * JVM node on one data directory, each killed with SIGKILL at a different moment (right after the
 * submits, with some tasks done, with most done, with all done and their webhooks on the way), then
 * one last node finishes what is left. Every task must end exactly once, every terminal event reach
 * the receiver at least once (one webhook-id per event, duplicates allowed: delivery is at least
 * once), and every file download.
 *
 * <p>On PostgreSQL, what a multi-node installation runs. One run of this test on embedded H2, at a
 * load average of 20, saw a task read as finished (its webhook delivered) run again after the
 * restart under a new webhook-id; a direct kill -9 check of H2 lost no commit, so the cause is open
 * (docs/architecture.md, "Durability"), and this suite does not paper over it.
 */
class KillRoundsTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final int TASKS_PER_ROUND = 8;

    /** When a round's node is killed: after this many of the round's tasks have ended. */
    private record Round(String moment, int terminalBeforeKill, boolean waitForADelivery) {
    }

    @Test
    void everyTaskEndsOnceEveryWebhookArrivesAndEveryFileDownloadsAcrossKillRounds() throws Exception {
        List<Round> rounds = List.of(
                new Round("right after the submits", 0, false),
                new Round("after 2 of 8 ended", 2, false),
                new Round("after 5 of 8 ended", 5, false),
                new Round("after all 8 ended, webhooks on the way", TASKS_PER_ROUND, true));
        Path dataDir = Files.createTempDirectory("pictor-kill-rounds-");
        Map<String, String> database = Map.of("PICTOR_DB_URL", Postgres.newDatabase(), "PICTOR_DB_USER", "postgres");
        List<String> ids = new ArrayList<>();
        // The receiver answers a little slowly, so some deliveries are in flight when a node dies.
        try (var receiver = new Receiver(new Receiver.Reply(200, Duration.ofMillis(40), Map.of()))) {
            for (int r = 0; r < rounds.size(); r++) {
                Round round = rounds.get(r);
                ChildNode child = ChildNode.start(dataDir, childEnv(database));
                try {
                    ApiClient client = child.client();
                    child.awaitReady(Duration.ofSeconds(60));
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < TASKS_PER_ROUND; i++) {
                        // Staggered latencies, so the tasks of a round end one by one and a kill lands among them.
                        var body = Json.object().put("model", "z-image").put("callback_url", receiver.url("/hook/" + r));
                        body.set("input", Json.object().put("prompt", "round " + r + " task " + i + " [sandbox:delay=" + (i * 250) + "]")
                                .put("size", "1:1"));
                        var answer = client.post("/api/generate/submit", body, KEY);
                        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                        mine.add(answer.data().get("task_id").asString());
                    }
                    ids.addAll(mine);
                    int roundIndex = r;
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(25)).until(() ->
                            terminal(client, mine) >= round.terminalBeforeKill()
                                    && (!round.waitForADelivery() || receiver.requests().stream().anyMatch(q -> q.path().equals("/hook/" + roundIndex))));
                } finally {
                    child.kill(); // SIGKILL: no shutdown hook, leases and webhook claims left behind
                }
                assertThat(child.process().exitValue()).as("killed in round " + r + " (" + round.moment() + ")").isEqualTo(137);
            }

            Map<String, String> lastEnv = new HashMap<>(database);
            lastEnv.put("PICTOR_LEASE_SECONDS", "4");
            // As the killed nodes: a task killed in every round has been claimed five times by now, and
            // the default (3) would end it as abandoned, which is right for a poison task but not here.
            lastEnv.put("PICTOR_MAX_ATTEMPTS", "10");
            try (TestNode last = TestNode.start(dataDir, lastEnv)) {
                ApiClient client = last.client();
                Map<String, JsonNode> finals = new LinkedHashMap<>();
                for (String id : ids) {
                    finals.put(id, client.awaitTerminal(KEY, id, Duration.ofSeconds(60)));
                }
                // Each task has one event, and it ends delivered.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        ids.stream().allMatch(id -> {
                            JsonNode events = client.get("/api/webhooks/events?task_id=" + id, KEY).data().get("events");
                            return events.size() == 1 && events.get(0).get("status").asString().equals("delivered");
                        }));
                int terminalEvents = ids.stream().mapToInt(countEvents(client)).sum();

                List<Receiver.Request> deliveries = receiver.requests();
                Map<String, Set<String>> statusesByTask = new HashMap<>();
                Map<String, Set<String>> webhookIdsByTask = new TreeMap<>();
                Set<String> webhookIds = new TreeSet<>();
                for (Receiver.Request d : deliveries) {
                    webhookIds.add(d.header("webhook-id"));
                    JsonNode data = Json.parse(d.body()).get("data");
                    String taskId = data.get("task_id").asString();
                    statusesByTask.computeIfAbsent(taskId, k -> new TreeSet<>()).add(data.get("status").asString());
                    webhookIdsByTask.computeIfAbsent(taskId, k -> new TreeSet<>()).add(d.header("webhook-id") + " " + d.path());
                }
                Map<String, String> storedEvent = new TreeMap<>();
                for (String id : ids) {
                    storedEvent.put(id, client.get("/api/webhooks/events?task_id=" + id, KEY).data().get("events").get(0).get("id").asString());
                }
                int downloads = 0;
                int passed = 0;
                List<String> lost = new ArrayList<>();
                for (var e : finals.entrySet()) {
                    String id = e.getKey();
                    JsonNode data = e.getValue();
                    String status = data.get("status").asString();
                    boolean ok = status.equals("finished") && statusesByTask.getOrDefault(id, Set.of()).equals(Set.of(status));
                    List<Integer> fileStatuses = new ArrayList<>();
                    for (String url : ApiClient.fileUrls(data)) {
                        HttpResponse<byte[]> file = client.download(url);
                        fileStatuses.add(file.statusCode());
                        ok &= file.statusCode() == 200 && file.body().length > 0;
                        downloads++;
                    }
                    ok &= !data.get("files").isEmpty();
                    if (ok) {
                        passed++;
                    } else {
                        lost.add(id + " " + status + (data.path("error_code").isString() ? " (" + data.get("error_code").asString() + ": "
                                + data.path("error_message").asString() + ")" : "") + ", files answering " + fileStatuses
                                + ", delivered as " + statusesByTask.get(id));
                    }
                }
                System.out.printf("kill -9 rounds: %d rounds, %d tasks, %d terminal events, %d deliveries (%d distinct webhook-ids,"
                                + " %d duplicates), %d files downloaded%n", rounds.size(), ids.size(), terminalEvents, deliveries.size(),
                        webhookIds.size(), deliveries.size() - webhookIds.size(), downloads);
                System.out.printf("kill -9 corpus: %d probes tried, %d passed, %d lost%n", ids.size(), passed, lost.size());
                assertThat(lost).isEmpty();
                assertThat(terminalEvents).isEqualTo(ids.size());
                var split = webhookIdsByTask.entrySet().stream().filter(e -> e.getValue().size() > 1)
                        .map(e -> e.getKey() + " stored " + storedEvent.get(e.getKey()) + " delivered " + e.getValue()).toList();
                assertThat(split).as("tasks whose deliveries carry more than one webhook-id").isEmpty();
                assertThat(webhookIds).hasSize(terminalEvents);
                assertThat(statusesByTask.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            }
        }
    }

    private static ToIntFunction<String> countEvents(ApiClient client) {
        return id -> client.get("/api/webhooks/events?task_id=" + id, KEY).data().get("events").size();
    }

    private static int terminal(ApiClient client, List<String> ids) {
        int n = 0;
        for (String id : ids) {
            String status = client.get("/api/generate/status/" + id, KEY).data().get("status").asString();
            if (status.equals("finished") || status.equals("failed")) {
                n++;
            }
        }
        return n;
    }

    /** The killed nodes' settings besides the test defaults {@link ChildNode} adds. */
    private static Map<String, String> childEnv(Map<String, String> database) {
        Map<String, String> env = new HashMap<>(database);
        // Leases short enough for quick rounds, long enough that a loaded machine does not lose them mid-run.
        env.put("PICTOR_LEASE_SECONDS", "4");
        // A task killed in several rounds is claimed again each time; it must not run out of attempts.
        env.put("PICTOR_MAX_ATTEMPTS", "10");
        return env;
    }
}
