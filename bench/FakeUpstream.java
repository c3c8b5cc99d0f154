import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Fake upstreams for the benchmark (not for tests): run with java bench/FakeUpstream.java PORT JOB_SECONDS.
 *   POST /v1/images/generations  OpenAI-style, answers at once with a 64x64 PNG in b64_json
 *   POST /v1/<model>              BFL-style submit; the job is Ready JOB_SECONDS later
 *   GET  /v1/get_result?id=       BFL-style poll
 *   GET  /delivery/<id>.png       the result image
 *   GET  /stats                   {"submitted":..,"active":..} jobs not yet Ready
 */
public class FakeUpstream {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long jobMillis = Long.parseLong(args[1]) * 1000;
        var image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        var out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        String b64 = Base64.getEncoder().encodeToString(png);
        Map<String, Long> readyAt = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        String base = "http://127.0.0.1:" + port;

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/images/generations")) {
                send(ex, 200, "{\"created\":1795000000,\"data\":[{\"b64_json\":\"" + b64 + "\"}],\"size\":\"64x64\",\"output_format\":\"png\"}");
            } else if (path.equals("/v1/get_result")) {
                String id = ex.getRequestURI().getQuery().substring(3);
                Long at = readyAt.get(id);
                if (at == null) {
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Task not found\"}");
                } else if (System.currentTimeMillis() < at) {
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Pending\",\"progress\":0.5}");
                } else {
                    send(ex, 200, "{\"id\":\"" + id + "\",\"status\":\"Ready\",\"result\":{\"sample\":\"" + base + "/delivery/" + id + ".png\"}}");
                }
            } else {
                String id = "job-" + ids.incrementAndGet();
                readyAt.put(id, System.currentTimeMillis() + jobMillis);
                send(ex, 200, "{\"id\":\"" + id + "\",\"polling_url\":\"" + base + "/v1/get_result?id=" + id + "\"}");
            }
        });
        server.createContext("/delivery/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        server.createContext("/stats", ex -> {
            long now = System.currentTimeMillis();
            long active = readyAt.values().stream().filter(t -> t > now).count();
            send(ex, 200, "{\"submitted\":" + ids.get() + ",\"active\":" + active + "}");
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
}
