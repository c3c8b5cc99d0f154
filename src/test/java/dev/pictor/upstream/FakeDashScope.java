package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * DashScope's asynchronous image synthesis as it answers: Bearer key, the {@code X-DashScope-Async:
 * enable} header required (400 without it), task polling through PENDING and RUNNING to SUCCEEDED with
 * per-image results (one may fail inspection) or FAILED, task cancel, and {@code {code,message}} errors.
 */
final class FakeDashScope extends FakeUpstream {
    static final String KEY = "sk-fake-dashscope";

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile int pendingPolls = 1;
    volatile boolean oneImageFailsInspection;
    volatile String failCode;

    FakeDashScope() {
        server.createContext("/api/v1/", exchange -> {
            Call call = record(exchange);
            if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"request_id\":\"r\",\"code\":\"InvalidApiKey\",\"message\":\"Invalid API-key provided.\"}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/image-synthesis")) {
                if (!"enable".equals(call.header("X-DashScope-Async"))) {
                    send(exchange, 400, "{\"request_id\":\"r\",\"code\":\"AccessDenied\",\"message\":\"current user api does not support synchronous calls\"}");
                    return;
                }
                JsonNode body = Json.parse(call.bodyText());
                String id = "ds-" + ids.incrementAndGet();
                counts.put(id, body.path("parameters").path("n").asInt(1));
                send(exchange, 200, "{\"output\":{\"task_status\":\"PENDING\",\"task_id\":\"" + id + "\"},\"request_id\":\"r\"}");
                return;
            }
            if (path.endsWith("/cancel")) {
                send(exchange, 200, "{\"request_id\":\"r\"}");
                return;
            }
            String id = path.substring("/api/v1/tasks/".length());
            int n = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (n <= pendingPolls) {
                send(exchange, 200, "{\"request_id\":\"r\",\"output\":{\"task_id\":\"" + id + "\",\"task_status\":\"" + (n == 1 ? "PENDING" : "RUNNING") + "\"}}");
                return;
            }
            if (failCode != null) {
                send(exchange, 200, "{\"request_id\":\"r\",\"output\":{\"task_id\":\"" + id + "\",\"task_status\":\"FAILED\",\"code\":\"" + failCode
                        + "\",\"message\":\"Output data may contain inappropriate content.\"}}");
                return;
            }
            var results = new StringBuilder();
            int count = counts.getOrDefault(id, 1);
            for (int i = 0; i < count; i++) {
                results.append(i == 0 ? "" : ",");
                if (oneImageFailsInspection && i == count - 1) {
                    results.append("{\"code\":\"DataInspectionFailed\",\"message\":\"Output data may contain inappropriate content.\"}");
                } else {
                    results.append("{\"orig_prompt\":\"p\",\"url\":\"").append(baseUrl()).append("/oss/").append(id).append("-").append(i).append(".png?Expires=1\"}");
                }
            }
            send(exchange, 200, "{\"request_id\":\"r\",\"output\":{\"task_id\":\"" + id + "\",\"task_status\":\"SUCCEEDED\",\"results\":[" + results
                    + "]},\"usage\":{\"image_count\":" + count + "}}");
        });
        server.createContext("/oss/", exchange -> {
            record(exchange);
            byte[] png = image(60, 40, ImageFormat.PNG);
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    int submits() {
        return (int) calls().stream().filter(c -> c.path().endsWith("/image-synthesis")).count();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.path().endsWith("/image-synthesis")).toList().getLast().bodyText());
    }
}
