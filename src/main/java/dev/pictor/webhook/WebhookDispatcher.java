package dev.pictor.webhook;

import java.time.format.DateTimeParseException;
import dev.pictor.common.BackgroundLoop;
import dev.pictor.net.FetchException;
import dev.pictor.net.PinnedHttpClient;
import dev.pictor.metrics.Metrics;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook events: claims due events with leases (like tasks), sends each on its own virtual
 * thread, records every attempt, and schedules the next one. The bookkeeping goes in batches: one
 * transaction claims up to {@value #BATCH} events, and one records the outcomes of every attempt that
 * finished while the previous record was being written ({@link OutcomeRecorder}); an attempt counts
 * as done only once its outcome is committed.
 *
 * <ul>
 *   <li>2xx: delivered. 410: the URL is disabled for the tenant and the event stops. 429: retried no
 *       sooner than its {@code Retry-After}. Redirects are not followed (a failure naming the
 *       Location). Anything else, timeouts and refused addresses included: retried on the schedule,
 *       then {@code dead}.</li>
 *   <li>Each receiver (scheme, host, port) has a lane: at most {@code perHostLimit} deliveries run at
 *       once, and as many more claimed events wait their turn in memory. A receiver whose lane is full
 *       is left out of the next claim, so its backlog stays in the database and a slow receiver never
 *       holds up the others.</li>
 *   <li>A heartbeat extends the leases of every claimed event, waiting or in flight, so no other node
 *       can claim one meanwhile: one event is never delivered twice at the same time. If this node
 *       dies, the leases run out and another node continues.</li>
 * </ul>
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int BATCH = 32;
    /** How many claimed events may wait per receiver beyond those running, in units of perHostLimit. */
    private static final int LANE_DEPTH = 2;
    private static final int EXCERPT_BYTES = 1024;
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final WebhookStore store;
    private final WebhookSecrets secrets;
    private final PinnedHttpClient http;
    private final RetrySchedule schedule;
    private final Metrics metrics;
    private final Clock clock;
    private final String nodeId;
    private final Duration timeout;
    private final Duration lease;
    private final int perHostLimit;

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Every claim this node holds, waiting or in flight until its outcome is written: what the heartbeat renews. */
    private final Set<WebhookStore.Claim> held = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean();
    private final SplittableRandom jitter = new SplittableRandom();
    private final BackgroundLoop claimLoop;
    private final BackgroundLoop heartbeat;
    private final OutcomeRecorder recorder;

    public WebhookDispatcher(WebhookStore store, WebhookSecrets secrets, PinnedHttpClient http, RetrySchedule schedule, Metrics metrics,
                             Clock clock, String nodeId, WebhookSettings settings, Duration pollInterval) {
        this.store = store;
        this.secrets = secrets;
        this.http = http;
        this.schedule = schedule;
        this.metrics = metrics;
        this.clock = clock;
        this.nodeId = nodeId;
        this.timeout = settings.timeout();
        this.lease = settings.effectiveLease();
        this.perHostLimit = settings.hostConcurrency();
        this.recorder = new OutcomeRecorder(store);
        this.claimLoop = new BackgroundLoop("pictor-webhooks", pollInterval, () -> claimRound() > 0);
        this.heartbeat = new BackgroundLoop("pictor-webhooks-heartbeat", Duration.ofMillis(Math.max(100, lease.toMillis() / 3)),
                this::renewLeases);
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            recorder.start();
            claimLoop.start();
            heartbeat.start();
        }
    }

    public void wake() {
        claimLoop.wake();
    }

    private int claimRound() {
        List<String> full = new ArrayList<>();
        lanes.forEach((receiver, lane) -> {
            if (lane.isFull()) {
                full.add(receiver);
            }
        });
        List<WebhookStore.Claim> claims = store.claim(nodeId, BATCH, clock.instant(), lease, full);
        held.addAll(claims);
        for (WebhookStore.Claim claim : claims) {
            lanes.computeIfAbsent(WebhookStore.receiverOf(claim.event().url()), k -> new Lane()).add(claim);
        }
        return claims.size();
    }

    /** One heartbeat; always waits for the next period, as renewing sooner gains nothing. */
    private boolean renewLeases() {
        store.renewLeases(List.copyOf(held), clock.instant().plus(lease));
        return false;
    }

    /** One receiver's share of this node: deliveries running, and claimed events waiting to run. */
    private final class Lane {
        private final ArrayDeque<WebhookStore.Claim> waiting = new ArrayDeque<>();
        private int running;

        synchronized boolean isFull() {
            return running + waiting.size() >= perHostLimit * LANE_DEPTH;
        }

        synchronized void add(WebhookStore.Claim claim) {
            if (running < perHostLimit) {
                running++;
                send(claim);
            } else {
                waiting.add(claim);
            }
        }

        /** A 410 disabled {@code url}: events for it still waiting here are ended unsent, as a later claim would. */
        synchronized void disableWaiting(String tenantId, String url) {
            List<WebhookStore.Claim> marked = waiting.stream().map(c -> {
                if (!c.event().tenantId().equals(tenantId) || !c.event().url().equals(url)) {
                    return c;
                }
                var ended = new WebhookStore.Claim(c.event(), c.token(), true);
                held.remove(c);
                held.add(ended);
                return ended;
            }).toList();
            waiting.clear();
            waiting.addAll(marked);
        }

        synchronized List<WebhookStore.Claim> drainWaiting() {
            List<WebhookStore.Claim> drained = new ArrayList<>(waiting);
            waiting.clear();
            return drained;
        }

        private void send(WebhookStore.Claim claim) {
            senders.execute(() -> {
                try {
                    deliver(claim);
                } catch (RuntimeException e) {
                    log.error("webhook event {} of task {}: delivery bookkeeping failed; the lease will expire and it is retried",
                            claim.event().id(), claim.event().taskId(), e);
                } finally {
                    // Recorded, lease lost, or the write failed: in the last case the lease now runs out.
                    held.remove(claim);
                    finished();
                    // Claim again now: this lane has room, and the task's next event may have waited for this one.
                    wake();
                }
            });
        }

        private synchronized void finished() {
            WebhookStore.Claim next = waiting.poll();
            if (next == null) {
                running--;
            } else {
                send(next);
            }
        }
    }

    private void deliver(WebhookStore.Claim claim) {
        WebhookEvent event = claim.event();
        Instant now = clock.instant();
        if (claim.urlDisabled()) {
            if (record(new WebhookStore.Outcome(claim, null, WebhookEvent.DISABLED, null, now))) {
                metrics.webhookDelivery("disabled", Duration.ZERO);
            }
            return;
        }
        long timestamp = now.getEpochSecond();
        byte[] body = event.payload().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = headers(event, timestamp);
        long started = System.nanoTime();
        Integer status = null;
        String excerpt = null;
        String error = null;
        Duration retryAfter = Duration.ZERO;
        String outcome;
        try {
            URI uri = PinnedHttpClient.parse(event.url());
            PinnedHttpClient.Response response = http.exchange(uri, "POST", headers, body, EXCERPT_BYTES, false, timeout);
            status = response.status();
            excerpt = new String(response.body(), StandardCharsets.UTF_8);
            if (status >= 200 && status < 300) {
                outcome = WebhookEvent.DELIVERED;
            } else if (status == 410) {
                outcome = WebhookEvent.DISABLED;
                error = "HTTP 410 Gone: deliveries to this URL are disabled until an event is redelivered by hand";
            } else {
                outcome = WebhookEvent.PENDING;
                if (status >= 300 && status < 400) {
                    String location = response.header("location");
                    error = "HTTP " + status + " redirect not followed" + (location == null ? "" : " (Location: " + location + ")");
                } else {
                    error = "HTTP " + status;
                }
                if (status == 429) {
                    retryAfter = retryAfter(response.header("retry-after"), now);
                }
            }
        } catch (FetchException e) {
            outcome = WebhookEvent.PENDING;
            error = e.getMessage();
        } catch (RuntimeException e) {
            // An unexpected failure is still an attempt: without one the event would be re-claimed every lease, forever.
            outcome = WebhookEvent.PENDING;
            error = "the delivery failed (" + e.getClass().getSimpleName() + ")";
            log.warn("webhook event {} of task {}: delivery failed unexpectedly ({}); counted as an attempt", event.id(), event.taskId(),
                    e.getClass().getSimpleName());
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - started);
        Instant answeredAt = clock.instant();
        var attempt = new WebhookAttempt(event.id(), event.attempts() + 1, now, status, latency.toMillis(), excerpt, error);

        Instant next = null;
        if (outcome.equals(WebhookEvent.PENDING)) {
            Optional<Duration> delay = schedule.after(event.roundAttempts() + 1, jitter);
            if (delay.isEmpty()) {
                outcome = WebhookEvent.DEAD;
            } else {
                Duration wait = delay.get().compareTo(retryAfter) >= 0 ? delay.get() : retryAfter;
                next = answeredAt.plus(wait);
            }
        }
        if (outcome.equals(WebhookEvent.DISABLED)) {
            // Its own transaction, as two nodes may disable one URL at once; rare, so not worth batching.
            store.disableUrl(event.tenantId(), event.url(), answeredAt);
            Lane lane = lanes.get(WebhookStore.receiverOf(event.url()));
            if (lane != null) {
                lane.disableWaiting(event.tenantId(), event.url());
            }
        }
        if (!record(new WebhookStore.Outcome(claim, attempt, outcome, next, answeredAt))) {
            return;
        }
        metrics.webhookDelivery(outcome.equals(WebhookEvent.PENDING) ? "retry" : outcome, latency);
        if (outcome.equals(WebhookEvent.DELIVERED)) {
            metrics.webhookEndToEnd(Duration.between(event.createdAt(), answeredAt));
        } else if (outcome.equals(WebhookEvent.DEAD)) {
            // The error can quote the receiver's redirect Location; URLs stay out of logs, so only the status goes here.
            log.warn("webhook event {} of task {} is dead after {} attempts (last HTTP status: {})", event.id(), event.taskId(),
                    event.attempts() + 1, status == null ? "none" : status);
        }
    }

    /** Waits until the outcome is committed; false when it was not (lease lost, or this node is stopping). */
    private boolean record(WebhookStore.Outcome outcome) {
        try {
            if (recorder.record(outcome)) {
                return true;
            }
            log.warn("webhook event {}: lease lost while delivering; another worker owns it now", outcome.claim().event().id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the lease runs out and the event is delivered again
        }
        return false;
    }

    private Map<String, String> headers(WebhookEvent event, long timestamp) {
        List<WebhookSecrets.Secret> active = secrets.active(event.tenantId());
        String signatures = String.join(" ", active.stream()
                .map(s -> WebhookSigner.sign(s.secret(), event.id(), timestamp, event.payload())).toList());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Pictor-Webhooks/1");
        headers.put("webhook-id", event.id());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signatures);
        headers.put("X-Webhook-Timestamp", Long.toString(timestamp));
        headers.put("X-Webhook-Signature", WebhookSigner.apidotSignature(active.getFirst().secret(), event.taskId(), timestamp));
        return headers;
    }

    /** Retry-After in seconds or as an HTTP date; zero when absent or unreadable; capped at a day. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e2) {
                return Duration.ZERO;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }


    /**
     * Stops claiming, hands waiting events back to the queue, and lets deliveries in progress finish
     * for up to {@code grace}; one cut short is retried by whoever claims it after its lease.
     */
    public void shutdown(Duration grace) {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            claimLoop.stop(Duration.ofSeconds(10));
            heartbeat.stop(Duration.ZERO);
            List<WebhookStore.Claim> unsent = new ArrayList<>();
            lanes.values().forEach(lane -> unsent.addAll(lane.drainWaiting()));
            store.release(unsent, clock.instant());
            unsent.forEach(held::remove);
            senders.shutdown();
            if (!senders.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                senders.shutdownNow();
            }
            recorder.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
