import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Fake upstreams for the benchmark (not for tests): run with java bench/FakeUpstream.java PORT JOB_SECONDS [POLL_MS].
 *   POST /v1/images/generations  OpenAI-style, answers at once with a 64x64 PNG in b64_json
 *   POST /v1/<model>              BFL-style submit; the job is Ready JOB_SECONDS later
 *   GET  /v1/get_result?id=       BFL-style poll
 *   GET  /delivery/<id>.png       the result image
 *   GET  /stats                   {"submitted":..,"active":..} (jobs not yet Ready) and whether polls come on time:
 *                                 a poll's lateness is its gap since the job's previous poll (or its submit) minus
 *                                 POLL_MS, the interval Pictor is configured with; a Ready job's collect delay is the
 *                                 time from Ready to the first poll that saw it
 *   POST /stats/reset             forgets the counts and samples so far (after the harness's warm-up)
 * A BFL submit whose body contains "warm-up" is Ready at once: the harness warms a node's whole path
 * (submit, start, poll, collect) with such jobs, then resets the stats and measures.
 */
public class FakeUpstream {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long jobMillis = Long.parseLong(args[1]) * 1000;
        long pollMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
        var image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        var out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        String b64 = Base64.getEncoder().encodeToString(png);
        Map<String, Long> readyAt = new ConcurrentHashMap<>();
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        var lateness = new Samples();
        var collectDelay = new Samples();
        AtomicLong ids = new AtomicLong();
        String base = "http://127.0.0.1:" + port;

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/", ex -> {
            byte[] requestBody = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/images/generations")) {
                send(ex, 200, "{\"created\":1795000000,\"data\":[{\"b64_json\":\"" + b64 + "\"}],\"size\":\"64x64\",\"output_format\":\"png\"}");
            } else if (path.equals("/v1/get_result")) {
                String id = ex.getRequestURI().getQuery().substring(3);
                Long at = readyAt.get(id);
                long now = System.currentTimeMillis();
                // A collected job's entry is gone, so a repeated poll of it (a retry) is not counted as a scheduled poll.
                Long previous = at == null ? null : lastSeen.get(id);
                if (previous != null) {
                    lateness.add(now - previous - pollMillis);
                }
                if (at == null) {
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Task not found\"}");
                } else if (now < at) {
                    lastSeen.put(id, now);
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Pending\",\"progress\":0.5}");
                } else {
                    if (lastSeen.remove(id) != null) {
                        collectDelay.add(now - at);
                    }
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Ready\",\"result\":{\"sample\":\"" + base + "/delivery/" + id + ".png\"}}");
                }
            } else {
                String id = "job-" + ids.incrementAndGet();
                long now = System.currentTimeMillis();
                lastSeen.put(id, now);
                boolean warmUp = new String(requestBody, StandardCharsets.UTF_8).contains("warm-up");
                readyAt.put(id, warmUp ? now : now + jobMillis);
                send(ex, 200, "{\"id\":\"" + id + "\",\"polling_url\":\"" + base + "/v1/get_result?id=" + id + "\"}");
            }
        });
        server.createContext("/delivery/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        AtomicLong submittedBefore = new AtomicLong();
        server.createContext("/stats/reset", ex -> {
            lateness.clear();
            collectDelay.clear();
            submittedBefore.set(ids.get());
            send(ex, 200, "{}");
        });
        server.createContext("/stats", ex -> {
            long now = System.currentTimeMillis();
            long active = readyAt.values().stream().filter(t -> t > now).count();
            send(ex, 200, "{\"submitted\":" + (ids.get() - submittedBefore.get()) + ",\"active\":" + active + ",\"polls\":" + lateness.count()
                    + lateness.json("poll_late") + ",\"collected\":" + collectDelay.count() + collectDelay.json("collect_delay") + "}");
        });
        server.start();
        System.out.println("fake upstream ready");
    }

    private static void send(HttpExchange ex, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    /** Millisecond samples kept whole (a few hundred thousand at most) so that the percentiles are exact. */
    static final class Samples {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        synchronized void clear() {
            size = 0;
        }

        synchronized int count() {
            return size;
        }

        synchronized String json(String name) {
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return ",\"" + name + "_p50_ms\":" + at(sorted, 50) + ",\"" + name + "_p99_ms\":" + at(sorted, 99)
                    + ",\"" + name + "_max_ms\":" + (size == 0 ? 0 : sorted[size - 1]);
        }

        private static long at(long[] sorted, int percentile) {
            return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
        }
    }
}
