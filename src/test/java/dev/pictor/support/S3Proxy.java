package dev.pictor.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real S3 server for tests: s3proxy on its jclouds filesystem backend, in a child JVM on a free
 * loopback port. It runs apart from the test JVM because it brings Jetty 11, Logback 1.5 and Jackson
 * 2, which would clash with Javalin's Jetty 12 on one classpath; Maven copies its self-contained jar
 * to target/s3proxy/ (see pom.xml) and surefire passes the path in {@code pictor.test.s3proxyJar}.
 */
public final class S3Proxy implements AutoCloseable {
    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key-0123456789";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector@.*\\{127\\.0\\.0\\.1:(\\d+)}");

    private final Process process;
    private final int port;

    private S3Proxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts s3proxy with its data under {@code dataDir}; buckets are folders there. */
    public static S3Proxy start(Path dataDir) {
        String jar = System.getProperty("pictor.test.s3proxyJar", "target/s3proxy/s3proxy.jar");
        try {
            Files.createDirectories(dataDir);
            Path props = dataDir.resolveSibling(dataDir.getFileName() + ".properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:0",
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath()) + "\n");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar, "--properties", props.toString())
                    .redirectErrorStream(true).start();
            return new S3Proxy(p, awaitPort(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the child's log until Jetty names its port; keeps draining it so the child never blocks. */
    private static int awaitPort(Process p) {
        var port = new CompletableFuture<Integer>();
        Thread.ofVirtual().start(() -> {
            StringBuilder head = new StringBuilder();
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else if (!port.isDone() && head.length() < 20_000) {
                        head.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the child went away; the future below reports it
            }
            port.completeExceptionally(new IllegalStateException("s3proxy exited before it listened:\n" + head));
        });
        try {
            return port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("s3proxy did not start", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Environment for a Pictor node storing into {@code bucket} on this server. */
    public Map<String, String> pictorEnv(String bucket, String prefix) {
        Map<String, String> env = new HashMap<>();
        env.put("PICTOR_STORAGE", "s3");
        env.put("PICTOR_S3_BUCKET", bucket);
        env.put("PICTOR_S3_PREFIX", prefix);
        env.put("PICTOR_S3_ENDPOINT", endpoint());
        env.put("PICTOR_S3_PATH_STYLE", "true");
        env.put("PICTOR_S3_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("PICTOR_S3_SECRET_ACCESS_KEY", SECRET_KEY);
        return env;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
