package dev.pictor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Pictor's metrics in Prometheus form. Counters and timers are recorded as things happen; the
 * database-backed gauges (tasks by status and model, queue depth) are read at scrape time, at most
 * once every few seconds however often Prometheus scrapes.
 */
public final class Metrics {
    private static final Duration SNAPSHOT_MAX_AGE = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Clock clock;
    private MultiGauge tasksByStatus;
    private Supplier<Map<String, Map<String, Long>>> countsSource = Map::of;
    private Map<String, Map<String, Long>> lastCounts = Map.of();
    private Instant lastCountsAt = Instant.EPOCH;

    public Metrics(Clock clock) {
        this.clock = clock;
    }

    /** Connects the database-backed gauges. */
    public void bindTaskGauges(Supplier<Map<String, Map<String, Long>>> countsByStatusAndModel, Supplier<Long> queueDepth) {
        this.countsSource = countsByStatusAndModel;
        Gauge.builder("pictor_queue_depth", () -> queueDepth.get().doubleValue())
                .description("Queued tasks that are due and waiting for a worker")
                .register(registry);
        tasksByStatus = MultiGauge.builder("pictor_tasks").description("Stored tasks by status and model").register(registry);
    }

    public void taskSubmitted(String model) {
        Counter.builder("pictor_tasks_submitted_total").tag("model", model).register(registry).increment();
    }

    public void taskCompleted(String model, String upstream, String status, String errorCode) {
        Counter.builder("pictor_tasks_completed_total")
                .tags("model", model, "upstream", upstream, "status", status, "error_code", errorCode == null ? "" : errorCode)
                .register(registry).increment();
    }

    /** An injected clock (tests) or a stepped system clock can make an interval negative: it counts as zero. */
    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Time from submit to the first claim by a worker. */
    public void queueWait(String model, Duration wait) {
        timer("pictor_task_queue_wait_seconds", "Submit to first claim", Tags.of("model", model)).record(nonNegative(wait));
    }

    /** Time from claim to the upstream's answer. */
    public void run(String model, String upstream, Duration duration) {
        timer("pictor_task_run_seconds", "Claim to upstream answer", Tags.of("model", model, "upstream", upstream))
                .record(nonNegative(duration));
    }

    /** Time from submit to the terminal state, the latency a client sees. */
    public void endToEnd(String model, String status, Duration duration) {
        timer("pictor_task_latency_seconds", "Submit to finished or failed", Tags.of("model", model, "status", status)).record(nonNegative(duration));
    }

    /** One webhook attempt: its outcome (delivered, retry, dead, disabled) and how long the exchange took. */
    public void webhookDelivery(String outcome, Duration latency) {
        Counter.builder("pictor_webhook_deliveries_total").tag("outcome", outcome).register(registry).increment();
        timer("pictor_webhook_attempt_seconds", "One webhook HTTP exchange", Tags.empty()).record(latency);
    }

    /** From the task's terminal state to the receiver's 2xx. */
    public void webhookEndToEnd(Duration duration) {
        timer("pictor_webhook_latency_seconds", "Task ended to webhook delivered", Tags.empty()).record(duration);
    }

    public void bindWebhookBacklog(Supplier<Long> backlog) {
        Gauge.builder("pictor_webhook_backlog", () -> backlog.get().doubleValue())
                .description("Webhook events waiting for an attempt (due or scheduled)")
                .register(registry);
    }

    /**
     * The node's decode budget in pixels: its size, what is leased now, and the most leased at once
     * since start (what sizing PICTOR_DECODE_MEGAPIXELS needs to know).
     */
    public void bindDecodeBudget(LongSupplier capacity, LongSupplier inUse, LongSupplier peak) {
        Gauge.builder("pictor_decode_pixels_budget", () -> (double) capacity.getAsLong())
                .description("Decoded pixels this node holds at most at once (PICTOR_DECODE_MEGAPIXELS)").register(registry);
        Gauge.builder("pictor_decode_pixels_in_use", () -> (double) inUse.getAsLong())
                .description("Decoded pixels leased now").register(registry);
        Gauge.builder("pictor_decode_pixels_peak", () -> (double) peak.getAsLong())
                .description("The most decoded pixels leased at one moment since the node started").register(registry);
    }

    /**
     * Group commit's work so far: transactions it committed for several callers at once and the
     * callers they carried (units over batches is the mean batch size; see PICTOR_DB_GROUP_COMMIT_WRITERS).
     */
    public <T> void bindGroupCommit(T source, ToDoubleFunction<T> batches, ToDoubleFunction<T> units, ToDoubleFunction<T> reruns) {
        // Micrometer holds {@code source} weakly: it must be an object the node keeps (its Jdbc), not a lambda.
        FunctionCounter.builder("pictor_db_group_commit_batches_total", source, batches)
                .description("Transactions group commit ran (each for one or more callers)").register(registry);
        FunctionCounter.builder("pictor_db_group_commit_units_total", source, units)
                .description("Callers' transactions carried by group commit").register(registry);
        FunctionCounter.builder("pictor_db_group_commit_reruns_total", source, reruns)
                .description("Batches run a second time, each caller in a savepoint, because one caller's work failed").register(registry);
    }

    /** A failed attempt on an upstream, by the error code it failed with. */
    public void upstreamError(String upstream, String errorCode) {
        Counter.builder("pictor_upstream_errors_total").tags("upstream", upstream, "error_code", errorCode).register(registry).increment();
    }

    /**
     * A task's settlement: what it was charged and what of its reservation went back (a failed task's
     * whole reservation; a partly delivered one's undelivered images), in millicredits, counted in credits.
     */
    public void credits(String model, long chargedMillis, long refundedMillis) {
        Counter.builder("pictor_credits_charged_total").description("Credits charged for finished tasks")
                .tag("model", model).register(registry).increment(chargedMillis / 1000.0);
        Counter.builder("pictor_credits_refunded_total").description("Reserved credits returned (failed tasks, undelivered images)")
                .tag("model", model).register(registry).increment(refundedMillis / 1000.0);
    }

    /** Images a finished task delivered. */
    public void imagesDelivered(String model, int images) {
        Counter.builder("pictor_images_total").description("Images delivered by finished tasks")
                .tag("model", model).register(registry).increment(images);
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
    }

    /** The Prometheus text exposition. */
    public synchronized String scrape() {
        refreshTaskCounts();
        return registry.scrape();
    }

    private void refreshTaskCounts() {
        if (tasksByStatus == null) {
            return;
        }
        Instant now = clock.instant();
        if (now.isBefore(lastCountsAt.plus(SNAPSHOT_MAX_AGE))) {
            return;
        }
        lastCounts = countsSource.get();
        lastCountsAt = now;
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        lastCounts.forEach((status, byModel) -> byModel.forEach((model, n) ->
                rows.add(MultiGauge.Row.of(Tags.of("status", status, "model", model), n))));
        tasksByStatus.register(rows, true);
    }
}
