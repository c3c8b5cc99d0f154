package dev.pictor.webhook;

import dev.pictor.media.FetchException;
import dev.pictor.media.PinnedHttpClient;
import dev.pictor.metrics.Metrics;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook events: claims due events with leases (like tasks), sends each on its own virtual
 * thread, records every attempt, and schedules the next one.
 *
 * <ul>
 *   <li>2xx: delivered. 410: the URL is disabled for the tenant and the event stops. 429: retried no
 *       sooner than its {@code Retry-After}. Redirects are not followed (a failure naming the
 *       Location). Anything else, timeouts and refused addresses included: retried on the schedule,
 *       then {@code dead}.</li>
 *   <li>At most {@code perHostLimit} deliveries run at once per receiver (scheme, host, port); an event
 *       whose receiver is busy goes back to the queue for a second without costing an attempt, so a
 *       slow receiver never holds up the others.</li>
 *   <li>The lease outlasts the delivery timeout, so one event is never delivered twice at once.</li>
 * </ul>
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int BATCH = 64;
    private static final int EXCERPT_BYTES = 1024;
    private static final Duration BUSY_HOST_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);
    private static final Object WAKE = new Object();

    private final WebhookStore store;
    private final WebhookSecrets secrets;
    private final PinnedHttpClient http;
    private final RetrySchedule schedule;
    private final Metrics metrics;
    private final Clock clock;
    private final String nodeId;
    private final Duration timeout;
    private final Duration lease;
    private final Duration pollInterval;
    private final int perHostLimit;

    private final Map<String, Semaphore> hostSlots = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Object> wakeups = new LinkedBlockingQueue<>(1);
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean();
    private final SplittableRandom jitter = new SplittableRandom();
    private Thread loop;

    public WebhookDispatcher(WebhookStore store, WebhookSecrets secrets, PinnedHttpClient http, RetrySchedule schedule, Metrics metrics,
                             Clock clock, String nodeId, Duration timeout, Duration pollInterval, int perHostLimit) {
        this.store = store;
        this.secrets = secrets;
        this.http = http;
        this.schedule = schedule;
        this.metrics = metrics;
        this.clock = clock;
        this.nodeId = nodeId;
        this.timeout = timeout;
        this.lease = timeout.multipliedBy(2).plusSeconds(10);
        this.pollInterval = pollInterval;
        this.perHostLimit = perHostLimit;
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            loop = Thread.ofVirtual().name("pictor-webhooks").start(this::claimLoop);
        }
    }

    public void wake() {
        wakeups.offer(WAKE);
    }

    private void claimLoop() {
        while (running.get()) {
            try {
                if (claimRound() == 0) {
                    wakeups.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("webhook claim round failed; retrying after the poll interval", e);
                try {
                    Thread.sleep(pollInterval.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private int claimRound() {
        Instant now = clock.instant();
        List<WebhookStore.Claim> claims = store.claim(nodeId, BATCH, now, lease);
        int started = 0;
        for (WebhookStore.Claim claim : claims) {
            Semaphore slots = hostSlots.computeIfAbsent(receiverKey(claim.event().url()), k -> new Semaphore(perHostLimit));
            if (!slots.tryAcquire()) {
                store.release(claim, now.plus(BUSY_HOST_DELAY));
                continue;
            }
            started++;
            senders.execute(() -> {
                try {
                    deliver(claim);
                } catch (RuntimeException e) {
                    log.error("webhook event {} of task {}: delivery bookkeeping failed; the lease will expire and it is retried",
                            claim.event().id(), claim.event().taskId(), e);
                } finally {
                    slots.release();
                    wake();
                }
            });
        }
        return started;
    }

    private void deliver(WebhookStore.Claim claim) {
        WebhookEvent event = claim.event();
        Instant now = clock.instant();
        if (store.isDisabled(event.tenantId(), event.url())) {
            store.record(claim, null, WebhookEvent.DISABLED, null, now);
            metrics.webhookDelivery("disabled", Duration.ZERO);
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
            store.disableUrl(event.tenantId(), event.url(), answeredAt);
        }
        if (!store.record(claim, attempt, outcome, next, answeredAt)) {
            log.warn("webhook event {}: lease lost while delivering; another worker owns it now", event.id());
            return;
        }
        metrics.webhookDelivery(outcome.equals(WebhookEvent.PENDING) ? "retry" : outcome, latency);
        if (outcome.equals(WebhookEvent.DELIVERED)) {
            metrics.webhookEndToEnd(Duration.between(event.createdAt(), answeredAt));
        } else if (outcome.equals(WebhookEvent.DEAD)) {
            log.warn("webhook event {} of task {} is dead after {} attempts (last: {})", event.id(), event.taskId(), event.attempts() + 1, error);
        }
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
            } catch (java.time.format.DateTimeParseException e2) {
                return Duration.ZERO;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }

    private static String receiverKey(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    /** Stops claiming and lets deliveries in progress finish for up to {@code grace}; unfinished ones are retried after their lease. */
    public void shutdown(Duration grace) {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        loop.interrupt();
        try {
            loop.join(Duration.ofSeconds(10));
            senders.shutdown();
            if (!senders.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
