package dev.pictor.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Client of Pictor's (and APIDot's) task API. Transient failures (connect errors, timeouts, 429,
 * 5xx) are retried with exponential backoff and jitter; 4xx answers never are. A submit carries one
 * generated {@code Idempotency-Key} across its retries, so a retried submit never makes a second task.
 */
public final class PictorClient {
    private final URI baseUrl;
    private final String apiKey;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final int maxAttempts;
    private final Duration requestTimeout;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final RandomGenerator random;
    private final Clock clock;
    private final Sleeper sleeper;

    /** How the client waits between retries and polls; tests pass one that does not block. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private PictorClient(Builder b) {
        String base = b.baseUrl != null ? b.baseUrl : env(b, "PICTOR_BASE_URL");
        if (base == null) {
            throw new IllegalArgumentException("base URL: set it on the builder or in PICTOR_BASE_URL");
        }
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        String key = b.apiKey != null ? b.apiKey : env(b, "PICTOR_API_KEY");
        this.apiKey = key != null ? key : env(b, "APIDOT_API_KEY");
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.maxAttempts = b.maxAttempts;
        this.requestTimeout = b.requestTimeout;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.random = b.random;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
    }

    private static String env(Builder b, String name) {
        String v = b.env.apply(name);
        return v == null || v.isBlank() ? null : v;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Submits; returns the new (or, on an idempotent replay, the first) task id. */
    public String submit(ModelRequest request) {
        return submit(request, UUID.randomUUID().toString());
    }

    /** Submits with the caller's own idempotency key (e.g. the application's order id). */
    public String submit(ModelRequest request, String idempotencyKey) {
        JsonNode data = call("POST", "/api/generate/submit", json.writeValueAsString(request.body()),
                Map.of("Idempotency-Key", idempotencyKey));
        return data.path("task_id").asString();
    }

    public Task status(String taskId) {
        return Task.from(call("GET", "/api/generate/status/" + encode(taskId), null, Map.of()));
    }

    /** The server's {@code cancel_result}: cancelled, already_cancelled, already_finished, already_failed. */
    public String cancel(String taskId) {
        return call("POST", "/api/generate/cancel/" + encode(taskId), "{}", Map.of()).path("cancel_result").asString();
    }

    /** One page of the caller's tasks, newest first. */
    public List<Task> list(int limit) {
        JsonNode data = call("GET", "/api/generate/tasks?limit=" + limit, null, Map.of());
        JsonNode items = data.isArray() ? data : data.path("tasks").isArray() ? data.path("tasks") : data.path("items");
        List<Task> tasks = new ArrayList<>();
        for (JsonNode t : items) {
            tasks.add(Task.from(t));
        }
        return tasks;
    }

    /**
     * {@code GET /api/generate/events/{id}} (server-sent events): calls {@code listener} with each
     * {@code event: status} as a {@link Task}, returns when the stream ends (after the terminal state).
     */
    public void events(String taskId, java.util.function.Consumer<Task> listener) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + "/api/generate/events/" + encode(taskId)))
                .header("Accept", "text/event-stream").GET();
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<java.util.stream.Stream<String>> res = http.send(rb.build(), HttpResponse.BodyHandlers.ofLines());
        if (res.statusCode() >= 300) {
            res.body().close();
            throw PictorException.of(res.statusCode(), null, "events: HTTP " + res.statusCode(), null, null);
        }
        StringBuilder data = new StringBuilder();
        try (var lines = res.body()) {
            for (var it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } else if (line.isEmpty() && data.length() > 0) {
                    JsonNode node = json.readTree(data.toString());
                    listener.accept(Task.from(node.has("data") ? node.get("data") : node));
                    data.setLength(0);
                }
            }
        }
    }

    /** {@code GET /api/models}: the catalog, as the server gives it. */
    public JsonNode models() {
        return call("GET", "/api/models", null, Map.of());
    }

    /**
     * {@code GET /api/webhooks/secret} (Pictor only; APIDot shows its secret in its console): the
     * {@code whsec_...} secret that signs the caller's tenant's webhooks, for {@link WebhookVerifier}.
     */
    public String webhookSecret() {
        return call("GET", "/api/webhooks/secret", null, Map.of()).path("secret").asString();
    }

    /** {@code POST /api/generate/estimate}: the cost a submit would have, as the server gives it. */
    public JsonNode estimate(ModelRequest request) {
        return call("POST", "/api/generate/estimate", json.writeValueAsString(request.body()), Map.of());
    }

    /**
     * Polls until the task ends or the deadline passes (then returns the last, non-terminal, state).
     * The poll interval grows from one second to 15 s with jitter; a 429's Retry-After is honoured.
     */
    public Task waitFor(String taskId, Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        Duration interval = Duration.ofSeconds(1);
        while (true) {
            Task task;
            try {
                task = status(taskId);
            } catch (PictorException.RateLimited e) {
                task = null;
                if (e.retryAfterSeconds() != null) {
                    interval = Duration.ofSeconds(e.retryAfterSeconds());
                }
            }
            if (task != null && task.terminal()) {
                return task;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                if (task == null) {
                    task = status(taskId);
                }
                return task;
            }
            Duration pause = jitter(interval);
            sleeper.sleep(pause.compareTo(left) > 0 ? left : pause);
            interval = min(interval.multipliedBy(2), Duration.ofSeconds(15));
        }
    }

    JsonNode call(String method, String path, String body, Map<String, String> headers) {
        PictorException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(requestTimeout)
                    .header("Accept", "application/json");
            if (apiKey != null) {
                rb.header("Authorization", "Bearer " + apiKey);
            }
            headers.forEach(rb::header);
            if (body != null) {
                rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                rb.method(method, HttpRequest.BodyPublishers.noBody());
            }
            Long retryAfter = null;
            try {
                HttpResponse<String> res = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                JsonNode root = parse(res.body());
                int code = res.statusCode();
                if (code < 300 && root != null && (root.path("code").isMissingNode()
                        || root.path("code").asInt() == 200 || root.path("code").asInt() == 0)) {
                    return root.has("data") ? root.get("data") : root;
                }
                if (code < 300 && root != null) {
                    code = root.path("code").asInt();
                }
                retryAfter = res.headers().firstValue("Retry-After").flatMap(PictorClient::seconds).orElse(null);
                JsonNode err = root == null ? null : root.path("error");
                String message = err == null ? "HTTP " + code
                        : err.isString() ? err.asString() : Optional.ofNullable(Task.text(err, "message"))
                                .or(() -> Optional.ofNullable(Task.text(root, "message"))).orElse("HTTP " + code);
                last = PictorException.of(code, err == null || !err.isObject() ? null : Task.text(err, "type"),
                        message, err == null || !err.isObject() ? null : Task.text(err, "param"), retryAfter);
            } catch (IOException e) {
                // Connect errors, resets and timeouts; only the exception class, the URL is not secret but
                // the message of some JDK exceptions repeats request headers on some platforms.
                last = new PictorException.Server(0, "connection_error",
                        method + " " + path + " failed: " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PictorException.Server(0, "interrupted", method + " " + path + " interrupted");
            }
            if (!last.transient_() || attempt == maxAttempts) {
                throw last;
            }
            try {
                Duration pause = retryAfter != null ? Duration.ofSeconds(retryAfter)
                        : jitter(min(initialBackoff.multipliedBy(1L << (attempt - 1)), maxBackoff));
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw last;
            }
        }
        throw Objects.requireNonNull(last);
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : json.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<Long> seconds(String v) {
        try {
            return Optional.of(Math.max(0, Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Full jitter between half and all of the interval, so many clients do not retry in step. */
    private Duration jitter(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return Duration.ofMillis(ms / 2 + random.nextLong(ms / 2 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PictorClient[" + baseUrl + ", key " + (apiKey == null ? "none" : "set") + "]";
    }

    public static final class Builder {
        private String baseUrl;
        private String apiKey;
        private HttpClient http;
        private int maxAttempts = 4;
        private Duration requestTimeout = Duration.ofSeconds(90);
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private RandomGenerator random = RandomGenerator.getDefault();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private java.util.function.Function<String, String> env = System::getenv;

        public Builder baseUrl(String v) { this.baseUrl = v; return this; }
        public Builder apiKey(String v) { this.apiKey = v; return this; }
        public Builder httpClient(HttpClient v) { this.http = v; return this; }
        public Builder maxAttempts(int v) { this.maxAttempts = Math.max(1, v); return this; }
        public Builder requestTimeout(Duration v) { this.requestTimeout = v; return this; }
        public Builder backoff(Duration initial, Duration max) { this.initialBackoff = initial; this.maxBackoff = max; return this; }
        public Builder random(RandomGenerator v) { this.random = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder sleeper(Sleeper v) { this.sleeper = v; return this; }
        /** Where PICTOR_BASE_URL / PICTOR_API_KEY / APIDOT_API_KEY are read from (default: the process environment). */
        public Builder environment(java.util.function.Function<String, String> v) { this.env = v; return this; }

        public PictorClient build() {
            return new PictorClient(this);
        }

        @Override
        public String toString() {
            return "PictorClient.Builder[" + baseUrl + "]";
        }
    }
}
