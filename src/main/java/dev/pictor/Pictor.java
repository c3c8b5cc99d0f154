package dev.pictor;

import dev.pictor.api.AdminRoutes;
import dev.pictor.api.ApiServer;
import dev.pictor.api.ApidotRoutes;
import dev.pictor.api.FileRoutes;
import dev.pictor.api.OpenAiRoutes;
import dev.pictor.api.OpsRoutes;
import dev.pictor.api.RouteGroup;
import dev.pictor.api.WebhookRoutes;
import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.KeyGate;
import dev.pictor.auth.KeyLimits;
import dev.pictor.auth.Scope;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.billing.Ledger;
import dev.pictor.billing.PriceTable;
import dev.pictor.api.CreditRoutes;
import dev.pictor.api.UsageRoutes;
import dev.pictor.usage.UsageReport;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.db.AppSettings;
import dev.pictor.db.Database;
import dev.pictor.net.AddressPolicy;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.SafeFetcher;
import dev.pictor.metrics.Metrics;
import dev.pictor.ui.UiRoutes;
import dev.pictor.ui.UiSessions;
import dev.pictor.upstream.UpstreamRegistry;
import dev.pictor.upstream.Upstreams;
import dev.pictor.upstream.sandbox.SandboxUpstream;
import dev.pictor.media.ImageWork;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileSystemBlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.s3.S3BlobStore;
import dev.pictor.storage.s3.S3Settings;
import dev.pictor.task.Dispatcher;
import dev.pictor.task.TaskSettings;
import dev.pictor.task.TaskEvents;
import dev.pictor.db.PeerWakeups;
import dev.pictor.task.Sweeper;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStore;
import dev.pictor.task.TaskView;
import dev.pictor.net.PinnedHttpClient;
import dev.pictor.net.CallbackUrls;
import dev.pictor.webhook.RetrySchedule;
import dev.pictor.webhook.WebhookDispatcher;
import dev.pictor.webhook.WebhookOutbox;
import dev.pictor.webhook.WebhookSecrets;
import dev.pictor.webhook.WebhookStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pictor node: wires the pieces together with constructors, starts them in dependency order and
 * stops them in reverse. {@link Main} runs one from the environment; tests run several side by side.
 */
public final class Pictor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pictor.class);
    /** A dashboard sign-in lasts a working day; the key it was opened with can end it sooner by being revoked. */
    private static final Duration UI_SESSION_LIFETIME = Duration.ofHours(12);
    private static final String VERSION = "0.1.0";

    private final Settings settings;
    private final Database database;
    private final Dispatcher dispatcher;
    private final WebhookDispatcher webhooks;
    private final PeerWakeups peers;
    private final Sweeper sweeper;
    private final ApiServer server;
    private final TaskStore store;
    private final BlobStore blobs;
    private final TaskEvents events;
    private final java.util.concurrent.atomic.AtomicBoolean draining;

    private Pictor(Settings settings, Database database, Dispatcher dispatcher, WebhookDispatcher webhooks, PeerWakeups peers,
                   Sweeper sweeper, ApiServer server, TaskStore store, BlobStore blobs, TaskEvents events,
                   java.util.concurrent.atomic.AtomicBoolean draining) {
        this.settings = settings;
        this.database = database;
        this.dispatcher = dispatcher;
        this.webhooks = webhooks;
        this.peers = peers;
        this.sweeper = sweeper;
        this.server = server;
        this.store = store;
        this.blobs = blobs;
        this.events = events;
        this.draining = draining;
    }

    public static Pictor start(Settings settings, Clock clock, PrintStream console) {
        return start(settings, clock, console, DecodeBudget::imageIo);
    }

    /** A node whose images are decoded by {@code decoder}: tests make it run out of memory. */
    public static Pictor start(Settings settings, Clock clock, PrintStream console, DecodeBudget.Decoder decoder) {
        var db = settings.database();
        Database database = Database.open(db.jdbcUrl(settings.dataDir()), db.user(), db.password(), db.poolSize(), db.groupCommitWriters());
        try {
            return start(settings, clock, console, database, decoder);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static Pictor start(Settings settings, Clock clock, PrintStream console, Database database, DecodeBudget.Decoder decoder) {
        var metrics = new Metrics(clock);
        var keys = new ApiKeys(database.jdbc(), clock);
        bootstrapKeys(settings, keys, console);
        String nodeId = "node-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));

        var catalog = new ModelCatalog();
        var prices = PriceTable.load(catalog, settings.billing().pricesFile());
        var outbound = new PinnedHttpClient(new AddressPolicy(settings.fetch().allow()), settings.fetch().connectTimeout());
        var fetcher = new SafeFetcher(outbound, settings.fetch());
        var decodes = new DecodeBudget(settings.decode().megapixels(), "PICTOR_DECODE_MEGAPIXELS=" + settings.decode().megapixels(),
                decoder, clock);
        metrics.bindDecodeBudget(decodes::capacityPixels, decodes::inUsePixels, decodes::peakPixels);
        var upstreams = new UpstreamRegistry(clock);
        if (settings.sandbox().enabled()) {
            upstreams.register(new SandboxUpstream(settings.sandbox(), ImageWork.perCore()));
        }
        Upstreams.configure(settings.upstreams(), BuiltInUpstreams.all(), upstreams, fetcher, clock, catalog);
        List<String> withoutUpstream = catalog.all().stream().map(ModelSpec::id).filter(m -> !upstreams.hasRoutes(m)).toList();
        if (settings.sandbox().enabled() && !withoutUpstream.isEmpty()) {
            withoutUpstream.forEach(m -> upstreams.addRoute(m, new UpstreamRegistry.Route(SandboxUpstream.NAME, null)));
            log.info("Pictor runs in SANDBOX MODE for {} of {} models: their images are synthetic. No real upstream is configured for: {}",
                    withoutUpstream.size(), catalog.all().size(), String.join(", ", withoutUpstream));
        } else if (!withoutUpstream.isEmpty()) {
            log.warn("sandbox mode is off and these models have no upstream; submitting them answers 503: {}", String.join(", ", withoutUpstream));
        }

        BlobStore blobs = openBlobStore(settings);
        byte[] urlKey = Base64.getDecoder().decode(new AppSettings(database.jdbc()).getOrCreate("file_url_key",
                () -> Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32))));
        // File URLs need the bound port, known only after the server starts (port 0 in tests).
        var boundPort = new AtomicInteger(settings.server().port());
        var fileUrls = new FileUrls(urlKey, () -> settings.files().baseUrl(boundPort.get()), settings.files().urlTtl(), clock);
        var taskView = new TaskView(fileUrls, task -> prices.taskCredits(task, catalog));

        var webhookSettings = settings.webhooks();
        var schedule = RetrySchedule.parse(webhookSettings.retrySchedule(), webhookSettings.jitterPercent());
        var webhookStore = new WebhookStore(database.jdbc());
        var secrets = new WebhookSecrets(database.jdbc(), clock);
        var webhooks = new WebhookDispatcher(webhookStore, secrets, outbound, schedule, metrics, clock, nodeId, webhookSettings,
                settings.tasks().pollInterval());
        var outbox = new WebhookOutbox(webhookStore, taskView, settings.files().urlTtl(), schedule, webhooks::wake, clock);

        var events = new TaskEvents();
        var draining = new java.util.concurrent.atomic.AtomicBoolean();
        var ledger = new Ledger(database.jdbc(), catalog, prices, metrics, clock);
        // the ledger settles first, so the webhook row is written in the same transaction after it
        TaskStore.TerminalListener onTerminal = (tx, task) -> {
            ledger.onTerminal(tx, task);
            outbox.onTerminal(tx, task);
        };
        var store = new TaskStore(database.jdbc(), onTerminal, outbox, ledger, events);
        metrics.bindTaskGauges(store::countsByStatusAndModel, () -> store.queueDepth(clock.instant()));
        metrics.bindWebhookBacklog(webhookStore::backlog);
        metrics.bindGroupCommit(database.jdbc(), jdbc -> jdbc.groupCommitCounts()[0], jdbc -> jdbc.groupCommitCounts()[1],
                jdbc -> jdbc.groupCommitCounts()[2]);
        var dispatcher = new Dispatcher(store, catalog, upstreams, fetcher, decodes, blobs, fileUrls, metrics, clock, nodeId, settings.tasks());
        var tasks = new TaskService(store, catalog, upstreams, new CallbackUrls(outbound), dispatcher, metrics, events, blobs,
                fileUrls, settings.files().retention(), settings.fetch(), clock, settings.tasks());
        var sweeper = new Sweeper(store, blobs, metrics, clock, Duration.ofSeconds(1), settings.files().retention(),
                settings.files().cleanupInterval());
        var server = settings.server();
        long maxBody = server.maxBodyBytes();
        long maxImage = settings.fetch().maxBytes();
        var gate = new KeyGate(database.jdbc(), clock);
        List<RouteGroup> routes = List.of(
                new ApidotRoutes(tasks, catalog, prices, taskView, maxBody, server.maxWait()),
                new AdminRoutes(keys, gate, ledger, clock, maxBody),
                new CreditRoutes(ledger, keys, gate, clock, maxBody),
                new UsageRoutes(new UsageReport(database.jdbc(), prices.upstreamCosts()), ledger, upstreams, clock),
                new OpenAiRoutes(tasks, catalog, blobs, fileUrls, maxBody, maxImage, server.maxWait(), server.modelAliases()),
                new WebhookRoutes(webhookStore, secrets, webhookSettings.secretOverlap(), clock, webhooks::wake, keys, maxBody),
                new FileRoutes(blobs, fileUrls, clock),
                new OpsRoutes(database, metrics, blobs, draining::get));
        var ui = new UiRoutes(keys, new UiSessions(database.jdbc(), clock, UI_SESSION_LIFETIME, new SecureRandom()), catalog,
                m -> upstreams.routes(m).stream().map(UpstreamRegistry.Route::upstream).toList(), VERSION);
        var api = new ApiServer(server, maxImage, keys, gate, ui, routes);

        dispatcher.start();
        if (webhookSettings.delivery()) {
            webhooks.start();
        } else {
            log.info("webhook delivery is off on this node (PICTOR_WEBHOOK_DELIVERY=false); other nodes deliver");
        }
        PeerWakeups peers = database.dialect().supportsNotify()
                ? new PeerWakeups(database.dataSource(), () -> {
                    dispatcher.wake();
                    webhooks.wake();
                }, keys::forgetCachedChecks)
                : null;
        sweeper.start();
        api.start();
        boundPort.set(api.port());
        // The node id is what task_queue.lease_owner and webhook_queue.lease_owner hold: name it for operators.
        log.info("Pictor {} listening on {}:{} (database: {}, files: {})", nodeId, server.host(), api.port(),
                settings.database().embedded() ? "embedded H2 under " + settings.dataDir() : database.dialect(),
                settings.s3Storage().map(S3Settings::describe).orElse(settings.dataDir().resolve("files").toString()));
        return new Pictor(settings, database, dispatcher, webhooks, peers, sweeper, api, store, blobs, events, draining);
    }

    /** The bucket when PICTOR_STORAGE=s3, else the folder under the data directory. */
    private static BlobStore openBlobStore(Settings settings) {
        if (settings.s3Storage().isPresent()) {
            return new S3BlobStore(settings.s3Storage().get(), Duration.ofSeconds(2));
        }
        try {
            return new FileSystemBlobStore(settings.dataDir().resolve("files"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the file store under " + settings.dataDir(), e);
        }
    }

    private static void bootstrapKeys(Settings settings, ApiKeys keys, PrintStream console) {
        keys.ensureTenant(ApiKeys.DEFAULT_TENANT, "Default tenant");
        if (!settings.adminKey().isBlank()) {
            if (!settings.adminKey().startsWith("sk-") || settings.adminKey().length() < 20) {
                throw new IllegalArgumentException("PICTOR_ADMIN_KEY must start with sk- and be at least 20 characters");
            }
            keys.ensureKey(ApiKeys.DEFAULT_TENANT, "bootstrap admin (PICTOR_ADMIN_KEY)", Scope.OPERATOR, settings.adminKey());
        } else if (!keys.hasAnyKey()) {
            var created = keys.create(ApiKeys.DEFAULT_TENANT, "bootstrap admin", Scope.OPERATOR, KeyLimits.NONE);
            // Printed to the console once, never logged: the log may be shipped elsewhere.
            console.println();
            console.println("  Pictor created an admin API key for the default tenant. It is shown only this once:");
            console.println();
            console.println("      " + created.secret());
            console.println();
            console.println("  Use it as: Authorization: Bearer <key>. Set PICTOR_ADMIN_KEY to choose your own.");
            console.println();
        }
    }

    /** "METHOD path" of every HTTP route the server registered. */
    public List<String> routes() {
        return server.routes();
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://localhost:" + server.port();
    }

    public TaskStore store() {
        return store;
    }

    /**
     * The stop for SIGTERM in a cluster: first {@code /readyz} answers 503 and the node claims nothing
     * more, for {@code PICTOR_SHUTDOWN_DRAIN_MS}, so the balancer takes it out while it still serves
     * (submits are queued for the peers, status reads answer); then wait-mode requests answer the
     * status of the moment and event streams end with a {@code reconnect} event, both clean answers a
     * client retries on another node; then {@link #close}: running tasks get the grace period and the
     * rest are handed back at once, for a peer to claim.
     */
    public void drainAndClose() {
        draining.set(true);
        dispatcher.stopClaiming();
        try {
            Thread.sleep(settings.server().shutdownDrain());
            events.drain(Duration.ofSeconds(2));
            // Handlers that just returned still have their response in flight: Javalin stops Jetty without waiting for it.
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /**
     * Graceful stop: no new requests, no new claims; running tasks get the grace period, and what is
     * still running then goes back to the queue for the next node.
     */
    @Override
    public void close() {
        server.close();
        sweeper.close();
        if (peers != null) {
            peers.close();
        }
        dispatcher.shutdown(settings.tasks().shutdownGrace());
        webhooks.shutdown(settings.tasks().shutdownGrace());
        if (blobs instanceof S3BlobStore s3) {
            s3.close();
        }
        database.close();
    }
}
