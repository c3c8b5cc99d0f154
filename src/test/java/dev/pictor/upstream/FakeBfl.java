package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Black Forest Labs as its API answers: {@code x-key} auth, {@code POST /v1/<model>} answering
 * {@code {id, polling_url}}, {@code GET /v1/get_result?id=} walking through {@code Pending} (with
 * progress) to {@code Ready} with a {@code result.sample} URL on a delivery path, or to a moderation
 * or error status; FastAPI-style 422 details.
 */
final class FakeBfl extends FakeUpstream {
    static final String KEY = "bfl_fake_key";

    /** How a submitted job will end and how many polls it stays Pending. */
    record Plan(int pendingPolls, String finalStatus) {
    }

    private final Map<String, Plan> jobs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final Map<String, String> formats = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Plan nextPlan = new Plan(2, "Ready");

    FakeBfl() {
        server.createContext("/v1/", exchange -> {
            Call call = record(exchange);
            if (!KEY.equals(call.header("x-key"))) {
                send(exchange, 403, "{\"detail\":\"Not authenticated\"}");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v1/get_result")) {
                String id = exchange.getRequestURI().getQuery().substring("id=".length());
                Plan plan = jobs.get(id);
                if (plan == null) {
                    send(exchange, 200, "{\"id\":\"" + id + "\",\"status\":\"Task not found\"}");
                    return;
                }
                if (scriptedFault(exchange)) {
                    return;
                }
                int n = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (n <= plan.pendingPolls()) {
                    send(exchange, 200, "{\"id\":\"" + id + "\",\"status\":\"Pending\",\"progress\":" + (n / (double) (plan.pendingPolls() + 1)) + "}");
                } else if (plan.finalStatus().equals("Ready")) {
                    send(exchange, 200, "{\"id\":\"" + id + "\",\"status\":\"Ready\",\"result\":{\"sample\":\"" + baseUrl() + "/delivery/" + id + "."
                            + formats.get(id) + "?se=2026&sig=abc\",\"seed\":42},\"progress\":1.0}");
                } else {
                    send(exchange, 200, "{\"id\":\"" + id + "\",\"status\":\"" + plan.finalStatus() + "\",\"result\":null,\"details\":{}}");
                }
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            JsonNode body = Json.parse(call.bodyText());
            if (!body.hasNonNull("prompt")) {
                send(exchange, 422, "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
                return;
            }
            String id = "job-" + ids.incrementAndGet();
            jobs.put(id, nextPlan);
            formats.put(id, body.path("output_format").asString("jpeg").equals("png") ? "png" : "jpeg");
            send(exchange, 200, "{\"id\":\"" + id + "\",\"polling_url\":\"" + baseUrl() + "/v1/get_result?id=" + id + "\"}");
        });
        server.createContext("/delivery/", exchange -> {
            record(exchange);
            String name = exchange.getRequestURI().getPath().substring("/delivery/".length());
            boolean png = name.endsWith(".png");
            byte[] bytes = image(64, 48, png ? ImageFormat.PNG : ImageFormat.JPEG);
            exchange.getResponseHeaders().add("Content-Type", png ? "image/png" : "image/jpeg");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    /** How the next submitted jobs will go. */
    void plan(int pendingPolls, String finalStatus) {
        nextPlan = new Plan(pendingPolls, finalStatus);
    }

    /** Lets every job finish at its next poll. */
    void finishAll() {
        jobs.replaceAll((id, plan) -> new Plan(0, plan.finalStatus()));
        polls.clear();
    }

    int submits() {
        return calls().stream().filter(c -> c.method().equals("POST")).toList().size();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.method().equals("POST")).toList().getLast().bodyText());
    }
}
