package dev.pictor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ChildNode;
import dev.pictor.support.Postgres;
import dev.pictor.support.Receiver;
import dev.pictor.support.S3Proxy;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A node lost mid-task, for real: three Pictor processes on one PostgreSQL and one store (an S3
 * bucket on s3proxy, or a folder all three share), with tasks in flight on a synchronous upstream
 * (the sandbox, slowed down), on an asynchronous one (fal's queue API, faked in this process and
 * counting submits per prompt) and webhooks being delivered to a slow receiver. One node gets
 * SIGKILL at a chosen moment; then every task must end exactly once, finished, the async job must
 * have been submitted once and polled to the end by a survivor, every webhook must be delivered and
 * every file URL must download from every surviving node. Each round kills at another moment and
 * replaces the dead node, so later rounds run on a cluster that already lost one.
 *
 * <p>Leases are 2 s (tasks and webhook events) so a dead node's work is taken over within seconds.
 */
class NodeLossTest {
    private static final Duration SANDBOX_LATENCY = Duration.ofSeconds(3);
    private static final int SYNC_TASKS = 3;
    private static final int ASYNC_TASKS = 2;

    /** When in a round the victim is chosen and killed. */
    enum Moment {
        /** Every async job has been submitted and its reference stored; sync generations are running: kill the node running most. */
        AFTER_SUBMIT,
        /** A status poll of an async job is in progress: kill the node making it. */
        WHILE_POLLING,
        /** A webhook is being delivered (the receiver takes its time answering): kill the node sending it. */
        WHILE_DELIVERING
    }

    @Test
    void onAnS3BucketNoTaskWebhookOrFileIsLostWhenANodeIsKilled() throws Exception {
        Path jar = Path.of(System.getProperty("pictor.test.s3proxyJar", "target/s3proxy/s3proxy.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(jar), "s3proxy is not available here (" + jar + "); the shared-folder variant still runs");
        Path s3Data = Files.createTempDirectory("pictor-nodeloss-s3-").resolve("data");
        Files.createDirectories(s3Data.resolve("nodeloss"));
        try (var s3 = S3Proxy.start(s3Data)) {
            runRounds(i -> tempDir("pictor-nodeloss-node-"), s3.pictorEnv("nodeloss", "outputs/"),
                    List.of(Moment.AFTER_SUBMIT, Moment.WHILE_POLLING, Moment.WHILE_DELIVERING));
        }
    }

    @Test
    void onASharedFolderNoTaskWebhookOrFileIsLostWhenANodeIsKilled() throws Exception {
        // One data directory for all: its files/ folder is the shared volume (NFS, say); the database is PostgreSQL.
        Path shared = Files.createTempDirectory("pictor-nodeloss-shared-");
        // One round: the S3 variant covers every moment; this one keeps the test running where s3proxy is missing.
        runRounds(i -> shared, Map.of(), List.of(Moment.WHILE_POLLING));
    }

    private interface DataDirs {
        Path next(int index) throws Exception;
    }

    private void runRounds(DataDirs dataDirs, Map<String, String> storageEnv, List<Moment> moments) throws Exception {
        String dbUrl = Postgres.newDatabase();
        try (var fal = new FakeFalQueue(Duration.ofMillis(600), 3);
             var receiver = new Receiver(new Receiver.Reply(200, Duration.ofMillis(1500), Map.of()));
             Connection db = DriverManager.getConnection(dbUrl, "postgres", "")) {
            Map<String, String> env = new HashMap<>(storageEnv);
            env.putAll(Map.of(
                    "PICTOR_DB_URL", dbUrl,
                    "PICTOR_DB_USER", "postgres",
                    "PICTOR_LEASE_SECONDS", "2",
                    "PICTOR_WEBHOOK_LEASE_SECONDS", "2",
                    "PICTOR_WEBHOOK_TIMEOUT_MS", "5000",
                    "PICTOR_SANDBOX_LATENCY_MS", Long.toString(SANDBOX_LATENCY.toMillis()),
                    "PICTOR_FAL_KEY", FakeFalQueue.KEY,
                    "PICTOR_FAL_BASE_URL", fal.baseUrl(),
                    "PICTOR_UPSTREAM_POLL_MS", "300"));
            List<ChildNode> nodes = new ArrayList<>();
            try {
                int started = 0;
                // The first node migrates the empty database alone, then the other two start side by side.
                nodes.add(ChildNode.start(dataDirs.next(started++), env).awaitReady(Duration.ofSeconds(60)));
                for (int i = 0; i < 2; i++) {
                    nodes.add(ChildNode.start(dataDirs.next(started++), env));
                }
                for (ChildNode node : nodes) {
                    node.awaitReady(Duration.ofSeconds(60));
                }
                for (int round = 0; round < moments.size(); round++) {
                    ChildNode victim = runRound(round, moments.get(round), nodes, fal, receiver, db);
                    if (round == moments.size() - 1) {
                        break;
                    }
                    int at = nodes.indexOf(victim);
                    nodes.set(at, ChildNode.start(dataDirs.next(started++), env).awaitReady(Duration.ofSeconds(60)));
                }
            } finally {
                nodes.forEach(ChildNode::close);
            }
        }
    }

    /** One round: submit, kill at {@code moment}, check everything ended once and is reachable; returns the dead node. */
    private ChildNode runRound(int round, Moment moment, List<ChildNode> nodes, FakeFalQueue fal, Receiver receiver, Connection db)
            throws Exception {
        String hook = "/hook/r" + round;
        Map<String, String> asyncPrompts = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SYNC_TASKS + ASYNC_TASKS; i++) {
            boolean async = i >= SYNC_TASKS;
            String prompt = "round " + round + (async ? " async " : " sync ") + i;
            var body = Json.object().put("model", async ? "flux-2-pro" : "z-image").put("callback_url", receiver.url(hook));
            body.set("input", Json.parse(async
                    ? "{\"prompt\":\"" + prompt + "\",\"size\":\"1:1\",\"resolution\":\"1K\"}"
                    : "{\"prompt\":\"" + prompt + "\",\"size\":\"1:1\"}"));
            var answer = nodes.get(i % nodes.size()).client().post("/api/generate/submit", body, TestNode.ADMIN_KEY);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            String id = answer.data().get("task_id").asString();
            ids.add(id);
            if (async) {
                asyncPrompts.put(id, prompt);
            }
        }

        ChildNode victim = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> pickVictim(moment, ids, asyncPrompts, nodes, fal, receiver, hook, db), Optional::isPresent).orElseThrow();
        victim.kill();
        assertThat(victim.process().exitValue()).as("SIGKILL").isEqualTo(137);
        List<ChildNode> survivors = nodes.stream().filter(n -> n != victim).toList();

        Set<String> fileUrls = new LinkedHashSet<>();
        for (String id : ids) {
            JsonNode data = survivors.getFirst().client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(40));
            assertThat(data.get("status").asString()).as(moment + " " + data).isEqualTo("finished");
            fileUrls.addAll(ApiClient.fileUrls(data));
            fileUrls.addAll(ApiClient.fileUrls(survivors.getLast().client().get("/api/generate/status/" + id, TestNode.ADMIN_KEY).data()));
        }
        for (var async : asyncPrompts.entrySet()) {
            assertThat(fal.submits(async.getValue())).as("%s: fal submits for %s", moment, async.getKey()).isEqualTo(1);
        }
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(30)).until(() -> eventStatus(survivors.getFirst(), id).equals("delivered"));
            assertThat(count(db, "SELECT count(*) FROM webhook_event WHERE task_id = ?", id)).as("one ending, one event").isEqualTo(1);
            assertThat(count(db, "SELECT count(*) FROM task_queue WHERE task_id = ?", id)).as("nothing left queued").isZero();
        }
        List<Receiver.Request> received = receiver.requests().stream().filter(r -> r.path().equals(hook)).toList();
        Map<String, Set<String>> statusesByTask = new HashMap<>();
        for (Receiver.Request request : received) {
            JsonNode data = Json.parse(request.body()).get("data");
            statusesByTask.computeIfAbsent(data.get("task_id").asString(), k -> new LinkedHashSet<>()).add(data.get("status").asString());
            fileUrls.addAll(ApiClient.fileUrls(data));
        }
        assertThat(statusesByTask.keySet()).as("every task's webhook arrived").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(statusesByTask.values()).as("a redelivery repeats the one ending").allSatisfy(s -> assertThat(s).containsExactly("finished"));

        assertThat(fileUrls).hasSizeGreaterThanOrEqualTo(ids.size());
        for (String url : fileUrls) {
            URI u = URI.create(url);
            byte[] first = null;
            for (ChildNode survivor : survivors) {
                var download = survivor.client().download(survivor.baseUrl() + u.getRawPath() + "?" + u.getRawQuery());
                assertThat(download.statusCode()).as("%s from %s", url, survivor.baseUrl()).isEqualTo(200);
                assertThat(download.body()).isNotEmpty();
                if (first == null) {
                    first = download.body();
                } else {
                    assertThat(Arrays.equals(first, download.body())).as("every node serves the same bytes").isTrue();
                }
            }
        }
        return victim;
    }

    private static Optional<ChildNode> pickVictim(Moment moment, List<String> ids, Map<String, String> asyncPrompts, List<ChildNode> nodes,
                                                  FakeFalQueue fal, Receiver receiver, String hook, Connection db) throws SQLException {
        String owner = switch (moment) {
            case AFTER_SUBMIT -> {
                for (String id : asyncPrompts.keySet()) {
                    if (text(db, "SELECT upstream_ref FROM task WHERE id = ?", id) == null) {
                        yield null;
                    }
                }
                yield busiestOwner(db, ids);
            }
            case WHILE_POLLING -> {
                for (var async : asyncPrompts.entrySet()) {
                    if (fal.promptsBeingPolled().contains(async.getValue())) {
                        String holder = text(db, "SELECT lease_owner FROM task_queue WHERE task_id = ?", async.getKey());
                        if (holder != null) {
                            yield holder;
                        }
                    }
                }
                yield null;
            }
            case WHILE_DELIVERING -> {
                for (Receiver.Request request : receiver.requests()) {
                    if (request.path().equals(hook)) {
                        String holder = text(db, "SELECT lease_owner FROM webhook_queue WHERE event_id = ?", request.header("webhook-id"));
                        if (holder != null) {
                            yield holder;
                        }
                    }
                }
                yield null;
            }
        };
        return nodes.stream().filter(n -> owner != null && owner.equals(n.nodeId())).findFirst();
    }

    /** The node holding the most of these tasks' queue rows right now. */
    private static String busiestOwner(Connection db, List<String> ids) throws SQLException {
        String in = String.join(",", ids.stream().map(id -> "?").toList());
        try (var s = db.prepareStatement("SELECT lease_owner FROM task_queue WHERE lease_owner IS NOT NULL AND task_id IN (" + in
                + ") GROUP BY lease_owner ORDER BY count(*) DESC LIMIT 1")) {
            for (int i = 0; i < ids.size(); i++) {
                s.setString(i + 1, ids.get(i));
            }
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String eventStatus(ChildNode node, String taskId) {
        JsonNode events = node.client().get("/api/webhooks/events?task_id=" + taskId, TestNode.ADMIN_KEY).data().get("events");
        return events.isEmpty() ? "none" : events.get(0).get("status").asString();
    }

    private static String text(Connection db, String sql, String arg) throws SQLException {
        try (var s = db.prepareStatement(sql)) {
            s.setString(1, arg);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long count(Connection db, String sql, String arg) throws SQLException {
        try (var s = db.prepareStatement(sql)) {
            s.setString(1, arg);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
