package dev.pictor.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pictor.Pictor;
import dev.pictor.Settings;
import dev.pictor.client.kit.TaskLedger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example application end to end against a real Pictor (sandbox upstream, port 0): a task ends
 * in the application's ledger through the signed webhook, and, with the callback lost, through the
 * reconciler.
 */
class ExampleAppTest {
    private static final String KEY = "sk-examples-test-admin-0123456789abc";
    private static Pictor pictor;

    @BeforeAll
    static void start() throws Exception {
        pictor = Pictor.start(Settings.fromEnvironment(Map.of(
                "PICTOR_PORT", "0",
                "PICTOR_HOST", "127.0.0.1",
                "PICTOR_DATA_DIR", Files.createTempDirectory("pictor-examples-test-").toString(),
                "PICTOR_ADMIN_KEY", KEY,
                "PICTOR_SANDBOX_LATENCY_MS", "300",
                // The application's webhook endpoint is on loopback; deliveries it refuses come back fast.
                "PICTOR_FETCH_ALLOW", "127.0.0.1/32",
                "PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,200ms,1s,2s,5s",
                "PICTOR_SHUTDOWN_GRACE_SECONDS", "2")), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stop() {
        pictor.close();
    }

    private static ExampleApp.Config config(String callbackBase, Duration reconcileEvery, Duration grace) {
        return new ExampleApp.Config(pictor.baseUrl(), KEY, null, 0, callbackBase,
                "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "z-image", reconcileEvery, grace);
    }

    @Test
    void aTaskEndsInTheLedgerThroughItsSignedWebhook() {
        try (ExampleApp app = ExampleApp.start(config(null, Duration.ofMinutes(10), Duration.ofMinutes(10)), Clock.systemUTC())) {
            String id = app.generate("user-7", "a lighthouse at dusk", List.of());
            assertThat(app.task(id)).hasValueSatisfying(e -> assertThat(e.appUserId()).isEqualTo("user-7"));
            await().atMost(Duration.ofSeconds(20)).until(() -> app.log().contains("webhook APPLIED"));
            TaskLedger.Entry e = app.task(id).orElseThrow();
            assertThat(e.status()).isEqualTo("finished");
            assertThat(e.fileUrls()).hasSize(1).allSatisfy(url -> assertThat(url).startsWith(pictor.baseUrl()));
            assertThat(app.log()).noneMatch(line -> line.startsWith("reconciled"));
        }
    }

    @Test
    void aTaskWhoseCallbackIsLostIsClosedByTheReconciler() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ExampleApp.Config lost = config("http://127.0.0.1:" + closedPort, Duration.ofMillis(100), Duration.ZERO);
        try (ExampleApp app = ExampleApp.start(lost, Clock.systemUTC())) {
            String id = app.generate("user-8", "a fox in the snow", List.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> app.task(id).orElseThrow().terminal());
            TaskLedger.Entry e = app.task(id).orElseThrow();
            assertThat(e.status()).isEqualTo("finished");
            assertThat(e.fileUrls()).hasSize(1);
            assertThat(app.log()).contains("reconciled 1").noneMatch(line -> line.startsWith("webhook"));
        }
    }

    @Test
    void sourceImagesThatAreNotTheApplicationsOwnHttpsUrlsNeverReachPictor() {
        try (ExampleApp app = ExampleApp.start(config(null, Duration.ofMinutes(10), Duration.ofMinutes(10)), Clock.systemUTC())) {
            assertThatThrownBy(() -> app.generate("user-9", "p", List.of("http://example.com/a.png")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(app.log()).isEmpty();
        }
    }
}
