package dev.pictor.upstream;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Replicate's predictions API as its SDKs read it: Bearer auth; {@code POST /v1/models/{owner}/{name}/predictions}
 * and {@code POST /v1/predictions} (with {@code version}) answer 201 with a prediction whose
 * {@code urls.get}/{@code urls.cancel} point back here; with {@code Prefer: wait} a job that needs no
 * polls is answered {@code succeeded} at once; {@code GET /v1/predictions/{id}} walks
 * {@code starting} → {@code processing} (logs) → {@code succeeded} (output URLs) or {@code failed};
 * cancel answers the prediction {@code canceled}; errors as RFC 7807 problem details.
 */
final class FakeReplicate extends FakeUpstream {
    static final String KEY = "r8_fake_token";

    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final Map<String, String> formats = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile int pendingPolls = 2;
    volatile String failWith;

    FakeReplicate() {
        server.createContext("/v1/", exchange -> {
            Call call = record(exchange);
            if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"title\":\"Unauthenticated\",\"detail\":\"You did not pass a valid authentication token\",\"status\":401}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (call.method().equals("POST") && (path.endsWith("/predictions") && (path.startsWith("/v1/models/") || path.equals("/v1/predictions")))) {
                JsonNode body = Json.parse(call.bodyText());
                if (!body.path("input").hasNonNull("prompt") || (path.equals("/v1/predictions") && !body.hasNonNull("version"))) {
                    send(exchange, 422, "{\"title\":\"Input validation failed\",\"detail\":\"- input: prompt is required\",\"status\":422}");
                    return;
                }
                String id = "p" + ids.incrementAndGet();
                formats.put(id, body.path("input").path("output_format").asString("webp"));
                boolean done = pendingPolls == 0 && call.header("Prefer") != null;
                send(exchange, 201, prediction(id, done ? "succeeded" : "starting"));
                return;
            }
            if (!path.startsWith("/v1/predictions/")) {
                send(exchange, 404, "{\"title\":\"Not found\",\"detail\":\"Not found\",\"status\":404}");
                return;
            }
            String rest = path.substring("/v1/predictions/".length());
            String id = rest.split("/")[0];
            if (!formats.containsKey(id)) {
                send(exchange, 404, "{\"title\":\"Not found\",\"detail\":\"Prediction not found\",\"status\":404}");
            } else if (rest.endsWith("/cancel") && call.method().equals("POST")) {
                send(exchange, 200, prediction(id, "canceled"));
            } else {
                int n = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                String status = n <= pendingPolls / 2 ? "starting" : n <= pendingPolls ? "processing" : failWith != null ? "failed" : "succeeded";
                send(exchange, 200, prediction(id, status));
            }
        });
        server.createContext("/delivery/", exchange -> {
            record(exchange);
            String p = exchange.getRequestURI().getPath();
            ImageFormat format = p.endsWith(".png") ? ImageFormat.PNG : p.endsWith(".jpg") ? ImageFormat.JPEG : ImageFormat.WEBP;
            byte[] bytes = image(64, 48, format == ImageFormat.WEBP ? ImageFormat.PNG : format);
            exchange.getResponseHeaders().add("Content-Type", format == ImageFormat.JPEG ? "image/jpeg" : "image/png");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    private String prediction(String id, String status) {
        String get = baseUrl() + "/v1/predictions/" + id;
        String ext = formats.get(id).equals("webp") ? "png" : formats.get(id);
        String output = status.equals("succeeded") ? "[\"" + baseUrl() + "/delivery/" + id + "/out-0." + ext + "\"]" : "null";
        String error = status.equals("failed") ? "\"" + failWith + "\"" : "null";
        return "{\"id\":\"" + id + "\",\"model\":\"black-forest-labs/flux-2-pro\",\"version\":\"hidden\",\"input\":{},\"output\":" + output
                + ",\"logs\":\"" + (status.equals("processing") ? " 60%|######    | 17/28" : "") + "\",\"error\":" + error + ",\"status\":\"" + status
                + "\",\"urls\":{\"get\":\"" + get + "\",\"cancel\":\"" + get + "/cancel\",\"web\":\"https://replicate.com/p/" + id + "\"}}";
    }

    long submits() {
        return calls().stream().filter(c -> c.method().equals("POST") && c.path().endsWith("/predictions")).count();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.method().equals("POST") && c.path().endsWith("/predictions")).toList().getLast().bodyText());
    }
}
