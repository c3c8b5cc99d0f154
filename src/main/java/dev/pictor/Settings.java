package dev.pictor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.pictor.storage.s3.S3Settings;

/**
 * Every operator-facing setting, with its default. Read once at start-up from environment variables
 * ({@link #fromEnvironment}); tests build their own with {@link #defaults} and the {@code with*}
 * helpers. The README's configuration table lists the same names: keep the two in step.
 */
public record Settings(
        String host,
        int port,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        String adminKey,
        String publicBaseUrl,
        Duration fileUrlTtl,
        Duration retention,
        Duration cleanupInterval,
        List<String> fetchAllow,
        long fetchMaxBytes,
        long fetchMaxPixels,
        Duration fetchConnectTimeout,
        Duration fetchReadTimeout,
        int fetchMaxRedirects,
        boolean sandboxEnabled,
        Duration sandboxLatency,
        int sandboxConcurrency,
        long maxBodyBytes,
        int maxPromptChars,
        int maxInFlight,
        Duration leaseDuration,
        Duration taskDeadline,
        Duration pollInterval,
        int maxAttempts,
        Duration shutdownGrace,
        boolean webhookDelivery,
        Duration webhookTimeout,
        String webhookRetrySchedule,
        int webhookJitterPercent,
        int webhookHostConcurrency,
        Duration webhookSecretOverlap,
        Duration maxWait,
        Upstreams upstreams,
        // Storage (PICTOR_STORAGE, PICTOR_S3_*): empty means the folder under dataDir.
        Optional<S3Settings> s3Storage) {

    /** One upstream vendor's credentials and endpoint; {@code secret} is only used by Kling. */
    public record Vendor(String apiKey, String secret, String baseUrl) {
        public boolean configured() {
            return !apiKey.isBlank();
        }
    }

    /**
     * The upstream vendors and how Pictor calls them. {@code routes} overrides the default routes:
     * {@code model=provider[:upstream-model],provider...;model=...}.
     */
    public record Upstreams(Vendor openai, Vendor gemini, Vendor ark, Vendor bfl, Vendor kling, Vendor dashscope,
                            String routes, Duration callTimeout, Duration pollInterval, int concurrency) {
    }

    public static Settings defaults() {
        return fromEnvironment(Map.of());
    }

    public static Settings fromEnvironment(Map<String, String> env) {
        var e = new Env(env);
        int port = e.integer("PICTOR_PORT", 8080);
        return new Settings(
                e.string("PICTOR_HOST", "0.0.0.0"),
                port,
                Path.of(e.string("PICTOR_DATA_DIR", "./data")),
                e.string("PICTOR_DB_URL", ""),
                e.string("PICTOR_DB_USER", ""),
                e.string("PICTOR_DB_PASSWORD", ""),
                e.integer("PICTOR_DB_POOL_SIZE", 8),
                e.string("PICTOR_ADMIN_KEY", ""),
                e.string("PICTOR_PUBLIC_BASE_URL", ""),
                Duration.ofSeconds(e.integer("PICTOR_FILE_URL_TTL_SECONDS", 86_400)),
                Duration.ofHours(e.integer("PICTOR_RETENTION_HOURS", 72)),
                Duration.ofSeconds(e.integer("PICTOR_CLEANUP_INTERVAL_SECONDS", 600)),
                e.list("PICTOR_FETCH_ALLOW"),
                e.longValue("PICTOR_FETCH_MAX_BYTES", 20L * 1024 * 1024),
                e.longValue("PICTOR_FETCH_MAX_PIXELS", 50_000_000L),
                Duration.ofMillis(e.integer("PICTOR_FETCH_CONNECT_TIMEOUT_MS", 5_000)),
                Duration.ofMillis(e.integer("PICTOR_FETCH_READ_TIMEOUT_MS", 15_000)),
                e.integer("PICTOR_FETCH_MAX_REDIRECTS", 3),
                e.bool("PICTOR_SANDBOX", true),
                Duration.ofMillis(e.integer("PICTOR_SANDBOX_LATENCY_MS", 500)),
                e.integer("PICTOR_SANDBOX_CONCURRENCY", 8),
                e.longValue("PICTOR_MAX_BODY_BYTES", 1024L * 1024),
                e.integer("PICTOR_MAX_PROMPT_CHARS", 20_000),
                e.integer("PICTOR_MAX_IN_FLIGHT", 256),
                Duration.ofSeconds(e.integer("PICTOR_LEASE_SECONDS", 30)),
                Duration.ofSeconds(e.integer("PICTOR_TASK_DEADLINE_SECONDS", 600)),
                Duration.ofMillis(e.integer("PICTOR_POLL_INTERVAL_MS", 1_000)),
                e.integer("PICTOR_MAX_ATTEMPTS", 3),
                Duration.ofSeconds(e.integer("PICTOR_SHUTDOWN_GRACE_SECONDS", 20)),
                e.bool("PICTOR_WEBHOOK_DELIVERY", true),
                Duration.ofMillis(e.integer("PICTOR_WEBHOOK_TIMEOUT_MS", 15_000)),
                e.string("PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,10h"),
                e.integer("PICTOR_WEBHOOK_JITTER_PERCENT", 10),
                e.integer("PICTOR_WEBHOOK_HOST_CONCURRENCY", 4),
                Duration.ofHours(e.integer("PICTOR_WEBHOOK_SECRET_OVERLAP_HOURS", 24)),
                Duration.ofSeconds(e.integer("PICTOR_MAX_WAIT_SECONDS", 600)),
                new Upstreams(
                        e.vendor("OPENAI", "https://api.openai.com"),
                        e.vendor("GEMINI", "https://generativelanguage.googleapis.com"),
                        e.vendor("ARK", "https://ark.ap-southeast.bytepluses.com/api/v3"),
                        e.vendor("BFL", "https://api.bfl.ai"),
                        new Vendor(e.string("PICTOR_KLING_ACCESS_KEY", ""), e.string("PICTOR_KLING_SECRET_KEY", ""),
                                e.string("PICTOR_KLING_BASE_URL", "https://api-singapore.klingai.com")),
                        e.vendor("DASHSCOPE", "https://dashscope-intl.aliyuncs.com"),
                        e.string("PICTOR_ROUTES", ""),
                        Duration.ofSeconds(e.integer("PICTOR_UPSTREAM_TIMEOUT_SECONDS", 300)),
                        Duration.ofMillis(e.integer("PICTOR_UPSTREAM_POLL_MS", 2_000)),
                        e.integer("PICTOR_UPSTREAM_CONCURRENCY", 16)),
                S3Settings.selected(env));
    }

    /** The base of file URLs: the configured public URL, or this host and port. */
    public String effectivePublicBaseUrl(int boundPort) {
        if (!publicBaseUrl.isBlank()) {
            return publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        }
        return "http://localhost:" + boundPort;
    }

    public boolean usesEmbeddedDatabase() {
        return dbUrl.isBlank();
    }

    private record Env(Map<String, String> values) {
        String string(String name, String fallback) {
            String v = values.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        int integer(String name, int fallback) {
            return (int) longValue(name, fallback);
        }

        long longValue(String name, long fallback) {
            String v = string(name, null);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
            }
        }

        boolean bool(String name, boolean fallback) {
            String v = string(name, null);
            if (v == null) {
                return fallback;
            }
            return switch (v.toLowerCase()) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
            };
        }

        Vendor vendor(String name, String defaultBaseUrl) {
            String base = string("PICTOR_" + name + "_BASE_URL", defaultBaseUrl);
            return new Vendor(string("PICTOR_" + name + "_API_KEY", ""), "", base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        }

        List<String> list(String name) {
            String v = string(name, "");
            return v.isEmpty() ? List.of() : List.of(v.split("\\s*,\\s*"));
        }
    }
}
