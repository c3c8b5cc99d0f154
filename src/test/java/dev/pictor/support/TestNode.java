package dev.pictor.support;

import dev.pictor.Pictor;
import dev.pictor.Settings;
import dev.pictor.media.DecodeBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A Pictor node for tests: its own data directory, a known admin key, port 0, no sandbox latency,
 * loopback allowed for source images (the tests' image server lives there).
 */
public final class TestNode implements AutoCloseable {
    public static final String ADMIN_KEY = "sk-test-admin-0123456789abcdefghij";

    private final Pictor pictor;
    private final Path dataDir;
    private final ApiClient client;

    private TestNode(Pictor pictor, Path dataDir) {
        this.pictor = pictor;
        this.dataDir = dataDir;
        this.client = new ApiClient(pictor.baseUrl());
    }

    public static TestNode start() {
        return start(Map.of());
    }

    /** Starts a node; {@code overrides} are environment variables on top of the test defaults. */
    public static TestNode start(Map<String, String> overrides) {
        try {
            Path dir = Files.createTempDirectory("pictor-test-");
            return start(dir, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestNode start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Clock.systemUTC());
    }

    /** A node on an injected clock, for tests that move time instead of waiting for it. */
    public static TestNode start(Map<String, String> overrides, Clock clock) {
        try {
            return start(Files.createTempDirectory("pictor-test-"), overrides, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestNode start(Path dataDir, Map<String, String> overrides, Clock clock) {
        Map<String, String> env = new HashMap<>(defaults(dataDir));
        env.putAll(overrides);
        Pictor pictor = Pictor.start(Settings.fromEnvironment(env), clock, new PrintStream(new ByteArrayOutputStream()));
        return new TestNode(pictor, dataDir);
    }

    /** A node whose images are decoded by {@code decoder} (one that runs out of memory, say). */
    public static TestNode start(Map<String, String> overrides, DecodeBudget.Decoder decoder) {
        try {
            Path dir = Files.createTempDirectory("pictor-test-");
            Map<String, String> env = new HashMap<>(defaults(dir));
            env.putAll(overrides);
            Pictor pictor = Pictor.start(Settings.fromEnvironment(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()), decoder);
            return new TestNode(pictor, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> defaults(Path dataDir) {
        return Map.of(
                "PICTOR_PORT", "0",
                "PICTOR_HOST", "127.0.0.1",
                "PICTOR_DATA_DIR", dataDir.toString(),
                "PICTOR_ADMIN_KEY", ADMIN_KEY,
                "PICTOR_SANDBOX_LATENCY_MS", "0",
                "PICTOR_FETCH_ALLOW", "127.0.0.1/32",
                "PICTOR_POLL_INTERVAL_MS", "200",
                "PICTOR_SHUTDOWN_GRACE_SECONDS", "2");
    }

    public ApiClient client() {
        return client;
    }

    public Pictor pictor() {
        return pictor;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String baseUrl() {
        return pictor.baseUrl();
    }

    @Override
    public void close() {
        pictor.close();
    }
}
