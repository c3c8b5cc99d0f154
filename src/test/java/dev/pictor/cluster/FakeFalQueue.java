package dev.pictor.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import dev.pictor.media.ImageEncoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fal's queue API, reduced to what the node-loss test needs and counted per prompt: how often each
 * prompt was submitted (must stay 1 whatever node dies), which jobs have a status poll in progress
 * right now (each poll takes {@code pollDelay}, so a node can be killed in the middle of one), and a
 * job completes after {@code pendingPolls} polls.
 */
final class FakeFalQueue implements AutoCloseable {
    static final String KEY = "fal-key-id:fal-key-secret";

    private final HttpServer server;
    private final Duration pollDelay;
    private final int pendingPolls;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, AtomicInteger> submitsByPrompt = new ConcurrentHashMap<>();
    private final Map<String, String> promptById = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pollsById = new ConcurrentHashMap<>();
    private final Set<String> pollingNow = ConcurrentHashMap.newKeySet();
    private final byte[] png;

    FakeFalQueue(Duration pollDelay, int pendingPolls) {
        this.pollDelay = pollDelay;
        this.pendingPolls = pendingPolls;
        var image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        image.setRGB(32, 32, 0x00ff00);
        this.png = ImageEncoder.encode(image, ImageFormat.PNG);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/fal-ai/", this::handle);
        server.createContext("/files/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many times {@code prompt} was submitted. */
    int submits(String prompt) {
        AtomicInteger n = submitsByPrompt.get(prompt);
        return n == null ? 0 : n.get();
    }

    /** The prompts of the jobs whose status is being polled at this moment. */
    Set<String> promptsBeingPolled() {
        return pollingNow.stream().map(promptById::get).collect(java.util.stream.Collectors.toSet());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!("Key " + KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"detail\":\"No user found for Key ID and Secret\"}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        int at = path.indexOf("/requests/");
        if (at < 0) {
            String prompt = Json.parse(body).path("prompt").asString("");
            String id = "req-" + ids.incrementAndGet();
            promptById.put(id, prompt);
            submitsByPrompt.computeIfAbsent(prompt, k -> new AtomicInteger()).incrementAndGet();
            String base = baseUrl() + "/fal-ai/flux-2-pro/requests/" + id;
            send(exchange, 200, "{\"request_id\":\"" + id + "\",\"response_url\":\"" + base + "\",\"status_url\":\"" + base
                    + "/status\",\"cancel_url\":\"" + base + "/cancel\",\"queue_position\":0}");
            return;
        }
        String rest = path.substring(at + "/requests/".length());
        String id = rest.split("/")[0];
        if (!promptById.containsKey(id)) {
            send(exchange, 404, "{\"detail\":\"Request not found\"}");
        } else if (rest.endsWith("/status")) {
            pollingNow.add(id);
            try {
                Thread.sleep(pollDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pollingNow.remove(id);
            }
            int n = pollsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            send(exchange, n < pendingPolls ? 202 : 200, "{\"status\":\"" + (n < pendingPolls ? "IN_PROGRESS" : "COMPLETED")
                    + "\",\"request_id\":\"" + id + "\",\"logs\":[]}");
        } else if (rest.endsWith("/cancel")) {
            send(exchange, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
        } else {
            send(exchange, 200, "{\"images\":[{\"url\":\"" + baseUrl() + "/files/" + id + ".png\",\"width\":64,\"height\":64,"
                    + "\"content_type\":\"image/png\"}],\"seed\":1,\"has_nsfw_concepts\":[false]}");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the node that asked was killed meanwhile
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
