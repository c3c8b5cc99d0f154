package dev.pictor.upstream;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * fal's queue as its SDKs read it: {@code Authorization: Key ...}; {@code POST /{owner}/{app}[/{path}]}
 * answers {@code request_id} and status/response/cancel URLs under {@code /{owner}/{app}/requests/{id}}
 * (the sub-path dropped); status walks {@code IN_QUEUE} (queue_position) and {@code IN_PROGRESS}
 * (logs) to {@code COMPLETED}; the result is the endpoint's output ({@code images[].url} on a CDN
 * path); {@code PUT .../cancel} answers {@code CANCELLATION_REQUESTED}; FastAPI-style 422s.
 */
final class FakeFal extends FakeUpstream {
    static final String KEY = "fal-key-id:fal-key-secret";

    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final Map<String, String> formats = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile int pendingPolls = 2;
    volatile boolean nsfw;

    FakeFal() {
        server.createContext("/fal-ai/", exchange -> {
            Call call = record(exchange);
            if (!("Key " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"detail\":\"No user found for Key ID and Secret\"}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            int at = path.indexOf("/requests/");
            if (at < 0) {
                if (!call.method().equals("POST")) {
                    send(exchange, 405, "{\"detail\":\"Method Not Allowed\"}");
                    return;
                }
                JsonNode body = Json.parse(call.bodyText());
                if (!body.hasNonNull("prompt")) {
                    send(exchange, 422, "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
                    return;
                }
                String[] parts = path.substring(1).split("/");
                String id = "req-" + ids.incrementAndGet();
                formats.put(id, body.path("output_format").asString("jpeg"));
                String base = baseUrl() + "/" + parts[0] + "/" + parts[1] + "/requests/" + id;
                send(exchange, 200, "{\"request_id\":\"" + id + "\",\"gateway_request_id\":\"" + id + "\",\"response_url\":\"" + base
                        + "\",\"status_url\":\"" + base + "/status\",\"cancel_url\":\"" + base + "/cancel\",\"queue_position\":3}");
                return;
            }
            String rest = path.substring(at + "/requests/".length());
            String id = rest.split("/")[0];
            if (!formats.containsKey(id)) {
                send(exchange, 404, "{\"detail\":\"Request not found\"}");
            } else if (rest.endsWith("/cancel") && call.method().equals("PUT")) {
                send(exchange, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
            } else if (rest.endsWith("/status")) {
                int n = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (n <= pendingPolls / 2) {
                    send(exchange, 202, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + id + "\",\"queue_position\":" + Math.max(0, 2 - n) + "}");
                } else if (n <= pendingPolls) {
                    send(exchange, 202, "{\"status\":\"IN_PROGRESS\",\"request_id\":\"" + id + "\",\"logs\":[{\"message\":\" 40%|####      | 11/28\",\"level\":\"INFO\",\"source\":\"USER\",\"timestamp\":\"2026-12-02T10:00:00\"}]}");
                } else {
                    send(exchange, 200, "{\"status\":\"COMPLETED\",\"request_id\":\"" + id + "\",\"logs\":[],\"metrics\":{\"inference_time\":1.2}}");
                }
            } else {
                String ext = formats.get(id).equals("png") ? "png" : "jpeg";
                send(exchange, 200, "{\"images\":[{\"url\":\"" + baseUrl() + "/files/" + id + "." + ext + "\",\"width\":64,\"height\":48,\"content_type\":\"image/"
                        + ext + "\"}],\"seed\":42,\"has_nsfw_concepts\":[" + nsfw + "],\"prompt\":\"\"}");
            }
        });
        server.createContext("/files/", exchange -> {
            record(exchange);
            boolean png = exchange.getRequestURI().getPath().endsWith(".png");
            byte[] bytes = image(64, 48, png ? ImageFormat.PNG : ImageFormat.JPEG);
            exchange.getResponseHeaders().add("Content-Type", png ? "image/png" : "image/jpeg");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    long submits() {
        return calls().stream().filter(c -> c.method().equals("POST")).count();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.method().equals("POST")).toList().getLast().bodyText());
    }

    /** Lets every request complete at its next status call. */
    void finishAll() {
        pendingPolls = 0;
    }
}
