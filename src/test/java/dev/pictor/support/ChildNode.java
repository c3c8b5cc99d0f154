package dev.pictor.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Pictor node in its own JVM ({@code dev.pictor.Main} on the test classpath), so that a test can
 * end it the way an operator or the kernel does: {@link #kill()} is SIGKILL (no shutdown hook, leases
 * left behind), {@link #terminate()} is SIGTERM (the graceful stop). Its log goes to a file, from
 * which the node id ({@code task_queue.lease_owner}) is read.
 */
public final class ChildNode implements AutoCloseable {
    private static final Pattern NODE_ID = Pattern.compile("Pictor (node-[0-9a-f]+) listening");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;
    private final ApiClient client;
    private String nodeId;

    private ChildNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.client = new ApiClient(baseUrl());
    }

    /** Starts a node with the test defaults plus {@code env}; does not wait for it (see {@link #awaitReady}). */
    public static ChildNode start(Path dataDir, Map<String, String> env) {
        try {
            int port = freePort();
            Map<String, String> all = new HashMap<>(TestNode.defaults(dataDir));
            all.put("PICTOR_ACCESS_LOG_LEVEL", "WARN");
            all.putAll(env);
            all.put("PICTOR_PORT", Integer.toString(port));
            Files.createDirectories(dataDir);
            Path log = Files.createTempFile("pictor-child-" + port + "-", ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // C1 only: these nodes live for seconds, and start-up on two shared cores is what the test waits for.
            var builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    // the production log configuration, not the test one: the node id is logged at INFO
                    "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                    "dev.pictor.Main"));
            builder.environment().putAll(all);
            builder.redirectErrorStream(true);
            builder.redirectOutput(log.toFile());
            return new ChildNode(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code /readyz} answers 200 and the node has logged its id. */
    public ChildNode awaitReady(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("node on port " + port + " exited:\n" + logText());
            }
            return status("/readyz") == 200 && nodeId() != null;
        });
        return this;
    }

    /** The id this node claims with, as it logged it at start; null before that. */
    public synchronized String nodeId() {
        if (nodeId == null) {
            Matcher m = NODE_ID.matcher(logText());
            if (m.find()) {
                nodeId = m.group(1);
            }
        }
        return nodeId;
    }

    /** The HTTP status of a GET on this node, or -1 when it does not answer. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ApiClient client() {
        return client;
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: the process ends at once, leaving its leases in the database. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM: the node's shutdown hook runs its graceful stop. Does not wait. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; true when it did within {@code timeout}. */
    public boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
