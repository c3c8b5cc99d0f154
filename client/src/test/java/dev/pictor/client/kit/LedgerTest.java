package dev.pictor.client.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.client.PictorClient;
import dev.pictor.client.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class LedgerTest {
    static final byte[] KEY = new byte[32];
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

    static final class MutableClock extends Clock {
        volatile Instant now = Instant.ofEpochSecond(1_800_000_000L);

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    static String sign(String id, long ts, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void twentyConcurrentDuplicatesLeaveOneVisibleResultOnH2() throws Exception {
        concurrentDuplicates(h2());
    }

    static void concurrentDuplicates(DataSource ds) throws Exception {
        MutableClock clock = new MutableClock();
        AtomicInteger copies = new AtomicInteger();
        TaskLedger ledger = new TaskLedger(ds, clock, task -> {
            copies.incrementAndGet();
            return List.of("s3://app-bucket/" + task.taskId() + "/0.png");
        });
        ledger.record("task-1", "gpt-image-2", "user-42", List.of("https://app.example/src.png"));
        WebhookHandler handler = new WebhookHandler(new WebhookVerifier(SECRET, Duration.ofMinutes(5), clock), ledger, null);
        String body = "{\"code\":200,\"data\":{\"task_id\":\"task-1\",\"status\":\"finished\",\"files\":[{\"file_url\":"
                + "\"https://pictor.example/files/task-1/0.png\",\"file_type\":\"image\"}],\"created_time\":\"2026-04-19T21:19:42\"}}";
        long ts = clock.now.getEpochSecond();
        Map<String, String> headers = Map.of("webhook-id", "msg_1", "webhook-timestamp", "" + ts,
                "webhook-signature", sign("msg_1", ts, body));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<WebhookHandler.Outcome>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // Half reuse the webhook-id, half are redeliveries under new ids: both dedup paths race.
            String id = i % 2 == 0 ? "msg_1" : "msg_r" + i;
            Map<String, String> h = i % 2 == 0 ? headers
                    : Map.of("webhook-id", id, "webhook-timestamp", "" + ts, "webhook-signature", sign(id, ts, body));
            Callable<WebhookHandler.Outcome> c = () -> {
                go.await();
                return handler.handle(h, body);
            };
            results.add(pool.submit(c));
        }
        go.countDown();
        List<WebhookHandler.Outcome> outcomes = new ArrayList<>();
        for (Future<WebhookHandler.Outcome> f : results) {
            outcomes.add(f.get());
        }
        pool.shutdown();
        assertThat(outcomes).filteredOn(o -> o == WebhookHandler.Outcome.APPLIED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o == WebhookHandler.Outcome.DUPLICATE).hasSize(19);
        assertThat(copies).hasValue(1);
        TaskLedger.Entry e = ledger.get("task-1").orElseThrow();
        assertThat(e.status()).isEqualTo("finished");
        assertThat(e.fileUrls()).containsExactly("s3://app-bucket/task-1/0.png");
        assertThat(e.appUserId()).isEqualTo("user-42");
        assertThat(e.sourceRefs()).containsExactly("https://app.example/src.png");
        assertThat(handler.handle(Map.of("webhook-id", "msg_x", "webhook-timestamp", "" + ts,
                "webhook-signature", "v1,AAAA"), body)).isEqualTo(WebhookHandler.Outcome.REJECTED);
    }

    @Test
    void aDeliveryThatBeatsTheLedgerRowIsRefusedWithoutConsumingItsIdAndAppliedWhenRedelivered() throws Exception {
        MutableClock clock = new MutableClock();
        TaskLedger ledger = new TaskLedger(h2(), clock);
        WebhookHandler handler = new WebhookHandler(new WebhookVerifier(SECRET, Duration.ofMinutes(5), clock), ledger, null);
        String body = "{\"code\":200,\"data\":{\"task_id\":\"task-early\",\"status\":\"finished\",\"files\":[{\"file_url\":"
                + "\"https://pictor.example/files/task-early/0.png\",\"file_type\":\"image\"}]}}";
        long ts = clock.now.getEpochSecond();
        Map<String, String> headers = Map.of("webhook-id", "msg_early", "webhook-timestamp", "" + ts,
                "webhook-signature", sign("msg_early", ts, body));
        WebhookHandler.Outcome first = handler.handle(headers, body);
        assertThat(first).isEqualTo(WebhookHandler.Outcome.UNKNOWN_TASK);
        assertThat(WebhookHandler.httpStatus(first)).as("non-2xx: Pictor delivers again").isEqualTo(503);
        ledger.record("task-early", "z-image", "user-1", List.of());
        assertThat(handler.handle(headers, body)).isEqualTo(WebhookHandler.Outcome.APPLIED);
        assertThat(ledger.get("task-early").orElseThrow().fileUrls()).containsExactly("https://pictor.example/files/task-early/0.png");
    }

    @Test
    void whileTheSinkCopiesTheTaskIsNotYetFinishedAndAFailedCopyHandsItBack() {
        MutableClock clock = new MutableClock();
        List<String> seenDuringCopy = new ArrayList<>();
        TaskLedger[] holder = new TaskLedger[1];
        boolean[] fail = {true};
        holder[0] = new TaskLedger(h2(), clock, task -> {
            seenDuringCopy.add(holder[0].get(task.taskId()).orElseThrow().status());
            if (fail[0]) {
                throw new java.io.IOException("bucket unavailable");
            }
            return List.of("s3://app/" + task.taskId());
        });
        TaskLedger ledger = holder[0];
        ledger.record("task-s", "z-image", "u", List.of());
        dev.pictor.client.Task done = new dev.pictor.client.Task("task-s", "finished", "z-image", "sandbox", 100,
                List.of(new dev.pictor.client.Task.File("https://pictor.example/f.png", "image", "image/png", 1, 1)),
                null, null, null, null, null, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.apply(done)).isInstanceOf(IllegalStateException.class);
        assertThat(ledger.get("task-s").orElseThrow().terminal()).as("a failed copy leaves the task open for the next delivery").isFalse();
        fail[0] = false;
        assertThat(ledger.apply(done)).isTrue();
        assertThat(seenDuringCopy).containsExactly("storing", "storing");
        TaskLedger.Entry e = ledger.get("task-s").orElseThrow();
        assertThat(e.status()).isEqualTo("finished");
        assertThat(e.fileUrls()).containsExactly("s3://app/task-s");
        assertThat(ledger.apply(done)).isFalse();
    }

    @Test
    void reconcilerClosesATaskWhoseWebhookNeverCame() throws Exception {
        try (var fake = new dev.pictor.client.ApidotFakeAccess()) {
            MutableClock clock = new MutableClock();
            TaskLedger ledger = new TaskLedger(h2(), clock);
            ledger.record("task-unified-1757165031-uyujaw3d", "gpt-image-2", "u", List.of());
            PictorClient client = PictorClient.builder().baseUrl(fake.baseUrl()).apiKey("sk-k").environment(n -> null)
                    .sleeper(d -> { }).build();
            Reconciler r = new Reconciler(ledger, client, clock, Duration.ofMinutes(10));
            assertThat(r.runOnce()).isZero();
            assertThat(fake.requests()).isZero();
            clock.now = clock.now.plus(Duration.ofMinutes(11));
            assertThat(r.runOnce()).isEqualTo(1);
            TaskLedger.Entry e = ledger.get("task-unified-1757165031-uyujaw3d").orElseThrow();
            assertThat(e.status()).isEqualTo("finished");
            assertThat(e.fileUrls()).containsExactly("https://storage.poyo.ai/generated/image-abc123.jpg");
            assertThat(r.runOnce()).isZero();
        }
    }
}
