package dev.pictor.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pictor.client.ModelRequest;
import dev.pictor.client.PictorClient;
import dev.pictor.client.WebhookVerifier;
import dev.pictor.client.kit.Reconciler;
import dev.pictor.client.kit.TaskLedger;
import dev.pictor.client.kit.WebhookHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The pictor-client kit end to end, as an application would wire it: submit with a callback URL and
 * record the task in the application's own database at once ({@link TaskLedger} on H2), a webhook
 * endpoint (the JDK's HTTP server) that hands each delivery to the idempotent {@link WebhookHandler},
 * and the {@link Reconciler} on a schedule, so a lost callback still closes its task.
 *
 * <p>{@code java -jar pictor-examples.jar [PROMPT ...]} generates one image per prompt for the user
 * {@code demo-user}, waits until the ledger (not Pictor) shows every task ended, prints them and
 * exits 0 when all finished. Settings come from the environment: see {@link Config#fromEnvironment}.
 */
public final class ExampleApp implements AutoCloseable {
    static final String WEBHOOK_PATH = "/webhooks/pictor";

    /**
     * @param webhookSecret the {@code whsec_...} secret; null fetches it from Pictor ({@code GET /api/webhooks/secret})
     * @param callbackBase  how Pictor reaches this application; null means {@code http://127.0.0.1:<port>}
     */
    public record Config(String pictorBaseUrl, String apiKey, String webhookSecret, int port, String callbackBase,
                         String jdbcUrl, String model, Duration reconcileEvery, Duration reconcileGrace) {
        /**
         * PICTOR_BASE_URL (default http://localhost:8080), PICTOR_API_KEY, PICTOR_WEBHOOK_SECRET (optional),
         * EXAMPLE_PORT (8090), EXAMPLE_CALLBACK_BASE, EXAMPLE_JDBC_URL (an H2 file under ./example-data),
         * EXAMPLE_MODEL (z-image), EXAMPLE_RECONCILE_SECONDS (30), EXAMPLE_GRACE_SECONDS (60).
         */
        public static Config fromEnvironment(Map<String, String> env) {
            return new Config(env.getOrDefault("PICTOR_BASE_URL", "http://localhost:8080"), env.get("PICTOR_API_KEY"),
                    env.get("PICTOR_WEBHOOK_SECRET"), Integer.parseInt(env.getOrDefault("EXAMPLE_PORT", "8090")),
                    env.get("EXAMPLE_CALLBACK_BASE"), env.getOrDefault("EXAMPLE_JDBC_URL", "jdbc:h2:file:./example-data/ledger"),
                    env.getOrDefault("EXAMPLE_MODEL", "z-image"),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("EXAMPLE_RECONCILE_SECONDS", "30"))),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("EXAMPLE_GRACE_SECONDS", "60"))));
        }
    }

    private final Config config;
    private final PictorClient client;
    private final TaskLedger ledger;
    private final WebhookHandler handler;
    private final HttpServer http;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final String callbackUrl;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private ExampleApp(Config config, Clock clock) throws IOException {
        this.config = config;
        this.client = PictorClient.builder().baseUrl(config.pictorBaseUrl()).apiKey(config.apiKey()).build();
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(config.jdbcUrl());
        this.ledger = new TaskLedger(dataSource, clock);
        String secret = config.webhookSecret() != null ? config.webhookSecret() : client.webhookSecret();
        this.handler = new WebhookHandler(new WebhookVerifier(secret, Duration.ofMinutes(5), clock), ledger, client);
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", config.port()), 0);
        http.createContext(WEBHOOK_PATH, this::webhook);
        http.start();
        String base = config.callbackBase() != null ? config.callbackBase() : "http://127.0.0.1:" + port();
        this.callbackUrl = base + WEBHOOK_PATH;
        Reconciler reconciler = new Reconciler(ledger, client, clock, config.reconcileGrace());
        long every = config.reconcileEvery().toMillis();
        scheduler.scheduleWithFixedDelay(() -> reconcile(reconciler), every, every, TimeUnit.MILLISECONDS);
    }

    public static ExampleApp start(Config config, Clock clock) {
        try {
            return new ExampleApp(config, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The application's submit path: its own checks first (here: source images must be https URLs of
     * the application's storage, i.e. the user's own uploads), then submit with the callback, then the
     * ledger row, before anything else can fail.
     */
    public String generate(String appUserId, String prompt, List<String> sourceImageUrls) {
        for (String url : sourceImageUrls) {
            URI uri = URI.create(url);
            if (!"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("source images must be https URLs");
            }
        }
        // The generic form for a configurable model id; checked() applies the catalog's field rules on
        // this side (Requests.zImage().prompt(p).size("16:9").build() is the typed form for one family).
        ModelRequest request = ModelRequest.of(config.model()).put("prompt", prompt).put("size", "16:9").callbackUrl(callbackUrl);
        if (!sourceImageUrls.isEmpty()) {
            request.put("image_urls", sourceImageUrls);
        }
        String taskId = client.submit(request.checked());
        ledger.record(taskId, config.model(), appUserId, sourceImageUrls);
        log.add("submitted " + taskId);
        return taskId;
    }

    public Optional<TaskLedger.Entry> task(String taskId) {
        return ledger.get(taskId);
    }

    /** What happened, one line per event ("submitted ID", "webhook APPLIED", "reconciled 1"): for the console and tests. */
    public List<String> log() {
        return List.copyOf(log);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private void webhook(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            // Webhook bodies are small; an application should still cap what it reads.
            String body = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
            WebhookHandler.Outcome outcome = handler.handle(headers, body);
            log.add("webhook " + outcome);
            exchange.sendResponseHeaders(WebhookHandler.httpStatus(outcome), -1);
        } catch (RuntimeException e) {
            // A failure here (the database is down, say) answers 500, so Pictor delivers again later.
            log.add("webhook error " + e.getClass().getSimpleName());
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private void reconcile(Reconciler reconciler) {
        try {
            int closed = reconciler.runOnce();
            if (closed > 0) {
                log.add("reconciled " + closed);
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; log and keep going.
            log.add("reconcile error " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        http.stop(0);
    }

    public static void main(String[] args) throws InterruptedException {
        Config config = Config.fromEnvironment(System.getenv());
        List<String> prompts = args.length > 0 ? List.of(args) : List.of("a lighthouse at dusk, oil painting");
        try (ExampleApp app = start(config, Clock.systemUTC())) {
            System.out.println("webhook endpoint http://127.0.0.1:" + app.port() + WEBHOOK_PATH + ", ledger " + config.jdbcUrl());
            List<String> ids = new ArrayList<>();
            for (String prompt : prompts) {
                ids.add(app.generate("demo-user", prompt, List.of()));
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            boolean allFinished = true;
            for (String id : ids) {
                Optional<TaskLedger.Entry> entry = app.task(id);
                while (entry.isPresent() && !entry.get().terminal() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(250);
                    entry = app.task(id);
                }
                TaskLedger.Entry e = entry.orElseThrow();
                System.out.println(e.taskId() + " " + e.status() + (e.errorCode() == null ? "" : " " + e.errorCode())
                        + " user=" + e.appUserId() + " files=" + e.fileUrls().size());
                e.fileUrls().forEach(url -> System.out.println("  " + url));
                allFinished &= "finished".equals(e.status());
            }
            app.log().forEach(line -> System.out.println("log: " + line));
            System.exit(allFinished ? 0 : 1);
        }
    }
}
