package dev.pictor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.pictor.api.ServerSettings;
import dev.pictor.billing.BillingSettings;
import dev.pictor.db.DatabaseSettings;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.DecodeSettings;
import dev.pictor.net.FetchSettings;
import dev.pictor.storage.FileSettings;
import dev.pictor.task.TaskSettings;
import dev.pictor.upstream.UpstreamSettings;
import dev.pictor.upstream.sandbox.SandboxSettings;
import dev.pictor.webhook.WebhookSettings;
import java.util.Optional;
import dev.pictor.storage.s3.S3Settings;

/**
 * Every operator-facing setting, with its default, grouped by the feature that uses it (each group is
 * a record in that feature's package, so no feature depends on this root package). Read once at
 * start-up from environment variables ({@link #fromEnvironment}); tests pass their own maps. The
 * README's configuration table lists the same names: keep the two in step.
 *
 * @param dataDir  the embedded database file and the file store live here
 * @param adminKey the bootstrap admin key, blank to have one generated on first start
 */
public record Settings(
        Path dataDir,
        String adminKey,
        ServerSettings server,
        DatabaseSettings database,
        FileSettings files,
        FetchSettings fetch,
        DecodeSettings decode,
        SandboxSettings sandbox,
        TaskSettings tasks,
        WebhookSettings webhooks,
        UpstreamSettings upstreams,
        // Storage (PICTOR_STORAGE, PICTOR_S3_*): empty means the folder under dataDir.
        Optional<S3Settings> s3Storage,
        BillingSettings billing) {

    public static Settings defaults() {
        return fromEnvironment(Map.of());
    }

    public static Settings fromEnvironment(Map<String, String> env) {
        var e = new Env(env);
        return new Settings(
                Path.of(e.string("PICTOR_DATA_DIR", "./data")),
                e.string("PICTOR_ADMIN_KEY", ""),
                new ServerSettings(
                        e.string("PICTOR_HOST", "0.0.0.0"),
                        e.integer("PICTOR_PORT", 8080),
                        e.longValue("PICTOR_MAX_BODY_BYTES", 1024L * 1024),
                        Duration.ofSeconds(e.integer("PICTOR_MAX_WAIT_SECONDS", 600)),
                        e.string("PICTOR_MODEL_ALIASES", ""),
                        Duration.ofMillis(e.integer("PICTOR_HEADER_TIMEOUT_MS", 10_000)),
                        Duration.ofMillis(e.integer("PICTOR_SHUTDOWN_DRAIN_MS", 5_000)),
                        e.list("PICTOR_TRUSTED_PROXIES")),
                new DatabaseSettings(
                        e.string("PICTOR_DB_URL", ""),
                        e.string("PICTOR_DB_USER", ""),
                        e.string("PICTOR_DB_PASSWORD", ""),
                        e.integer("PICTOR_DB_POOL_SIZE", 8),
                        e.integer("PICTOR_DB_GROUP_COMMIT_WRITERS", 1)),
                new FileSettings(
                        e.string("PICTOR_PUBLIC_BASE_URL", ""),
                        Duration.ofSeconds(e.integer("PICTOR_FILE_URL_TTL_SECONDS", 86_400)),
                        Duration.ofHours(e.integer("PICTOR_RETENTION_HOURS", 72)),
                        Duration.ofSeconds(e.integer("PICTOR_CLEANUP_INTERVAL_SECONDS", 600))),
                new FetchSettings(
                        e.list("PICTOR_FETCH_ALLOW"),
                        e.longValue("PICTOR_FETCH_MAX_BYTES", 20L * 1024 * 1024),
                        e.longValue("PICTOR_FETCH_MAX_PIXELS", 50_000_000L),
                        Duration.ofMillis(e.integer("PICTOR_FETCH_CONNECT_TIMEOUT_MS", 5_000)),
                        Duration.ofMillis(e.integer("PICTOR_FETCH_READ_TIMEOUT_MS", 15_000)),
                        e.integer("PICTOR_FETCH_MAX_REDIRECTS", 3)),
                new DecodeSettings(e.longValue("PICTOR_DECODE_MEGAPIXELS", DecodeBudget.defaultMegapixels(Runtime.getRuntime().maxMemory()))),
                new SandboxSettings(
                        e.bool("PICTOR_SANDBOX", true),
                        Duration.ofMillis(e.integer("PICTOR_SANDBOX_LATENCY_MS", 500)),
                        e.integer("PICTOR_SANDBOX_CONCURRENCY", 8)),
                new TaskSettings(
                        e.integer("PICTOR_MAX_PROMPT_CHARS", 20_000),
                        e.integer("PICTOR_MAX_IN_FLIGHT", 256),
                        Duration.ofSeconds(e.integer("PICTOR_LEASE_SECONDS", 30)),
                        Duration.ofSeconds(e.integer("PICTOR_TASK_DEADLINE_SECONDS", 600)),
                        Duration.ofMillis(e.integer("PICTOR_POLL_INTERVAL_MS", 1_000)),
                        e.integer("PICTOR_MAX_ATTEMPTS", 3),
                        Duration.ofMillis(e.integer("PICTOR_RETRY_BASE_MS", 1_000)),
                        Duration.ofSeconds(e.integer("PICTOR_SHUTDOWN_GRACE_SECONDS", 20))),
                new WebhookSettings(
                        e.bool("PICTOR_WEBHOOK_DELIVERY", true),
                        Duration.ofMillis(e.integer("PICTOR_WEBHOOK_TIMEOUT_MS", 15_000)),
                        e.string("PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,10h"),
                        e.integer("PICTOR_WEBHOOK_JITTER_PERCENT", 10),
                        e.integer("PICTOR_WEBHOOK_HOST_CONCURRENCY", 4),
                        Duration.ofHours(e.integer("PICTOR_WEBHOOK_SECRET_OVERLAP_HOURS", 24)),
                        Duration.ofSeconds(e.integer("PICTOR_WEBHOOK_LEASE_SECONDS", 0))),
                new UpstreamSettings(
                        e.pictorVariables(),
                        e.string("PICTOR_ROUTES", ""),
                        Duration.ofSeconds(e.integer("PICTOR_UPSTREAM_TIMEOUT_SECONDS", 300)),
                        Duration.ofMillis(e.integer("PICTOR_UPSTREAM_POLL_MS", 2_000)),
                        e.integer("PICTOR_UPSTREAM_CONCURRENCY", 16),
                        e.longValue("PICTOR_UPSTREAM_MAX_BYTES", 64L * 1024 * 1024)),
                S3Settings.selected(env),
                new BillingSettings(e.string("PICTOR_PRICES_FILE", "")));
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

        /** Every PICTOR_* variable, for the settings each upstream definition declares for itself. */
        Map<String, String> pictorVariables() {
            Map<String, String> out = new TreeMap<>();
            values.forEach((k, v) -> {
                if (k.startsWith("PICTOR_") && v != null) {
                    out.put(k, v);
                }
            });
            return out;
        }

        List<String> list(String name) {
            String v = string(name, "");
            return v.isEmpty() ? List.of() : List.of(v.split("\\s*,\\s*"));
        }
    }
}
