package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * DashScope as its Wan 2.7 and Z-Image references describe it: Bearer key; Wan 2.7 on
 * {@code image-generation/generation}, which needs {@code X-DashScope-Async: enable} (403
 * {@code AccessDenied} without it), polled through PENDING and RUNNING to SUCCEEDED or FAILED; Z-Image
 * only synchronously on {@code multimodal-generation/generation}, text only (an image is a 400);
 * {@code input.messages[0].content} with text and images in one array; Wan refuses fewer than 768*768
 * pixels; results in {@code output.choices[].message.content[].image}; task cancel; the old
 * image-synthesis endpoints answer 400 for these models.
 */
final class FakeDashScope extends FakeUpstream {
    static final String KEY = "sk-fake-dashscope";

    private final Map<String, JsonNode> jobs = new ConcurrentHashMap<>();
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
            boolean async = "enable".equals(call.header("X-DashScope-Async"));
            if (path.endsWith("/image-synthesis")) {
                send(exchange, 400, "{\"request_id\":\"r\",\"code\":\"InvalidParameter\",\"message\":\"Model not exist.\"}");
                return;
            }
            if (path.equals("/api/v1/services/aigc/image-generation/generation") || path.equals("/api/v1/services/aigc/multimodal-generation/generation")) {
                JsonNode body = Json.parse(call.bodyText());
                String model = body.path("model").asString("");
                String invalid = invalid(body, model, async, path);
                if (invalid != null) {
                    send(exchange, invalid.startsWith("AccessDenied") ? 403 : 400,
                            "{\"request_id\":\"r\",\"code\":\"" + invalid.split(":", 2)[0] + "\",\"message\":\"" + invalid.split(":", 2)[1] + "\"}");
                    return;
                }
                if (!async && failCode != null) {
                    send(exchange, 400, "{\"request_id\":\"r\",\"code\":\"" + failCode + "\",\"message\":\"Input data may contain inappropriate content.\"}");
                    return;
                }
                if (!async) {
                    send(exchange, 200, "{\"output\":" + result(body) + ",\"usage\":{\"image_count\":" + body.path("parameters").path("n").asInt(1)
                            + "},\"request_id\":\"r\"}");
                    return;
                }
                String id = "ds-" + ids.incrementAndGet();
                jobs.put(id, body);
                send(exchange, 200, "{\"output\":{\"task_status\":\"PENDING\",\"task_id\":\"" + id + "\"},\"request_id\":\"r\"}");
                return;
            }
            if (path.endsWith("/cancel")) {
                send(exchange, 200, "{\"request_id\":\"r\"}");
                return;
            }
            String id = path.substring("/api/v1/tasks/".length());
            JsonNode job = jobs.get(id);
            if (job == null) {
                send(exchange, 200, "{\"request_id\":\"r\",\"output\":{\"task_id\":\"" + id + "\",\"task_status\":\"UNKNOWN\"}}");
                return;
            }
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
            String result = result(job);
            send(exchange, 200, "{\"request_id\":\"r\",\"output\":" + result.replaceFirst("\\{", "{\"task_id\":\"" + id + "\",\"task_status\":\"SUCCEEDED\",")
                    + ",\"usage\":{\"image_count\":" + job.path("parameters").path("n").asInt(1) + "}}");
        });
        server.createContext("/oss/", exchange -> {
            record(exchange);
            String[] size = exchange.getRequestURI().getPath().replaceAll(".*/(\\d+)x(\\d+)-\\d+\\.png$", "$1 $2").split(" ");
            byte[] png = image(Integer.parseInt(size[0]), Integer.parseInt(size[1]), ImageFormat.PNG);
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    /** What DashScope would refuse in this body, as {@code code:message}, or null. */
    private static String invalid(JsonNode body, String model, boolean async, String path) {
        boolean zImage = model.startsWith("z-image");
        if (!zImage && !model.startsWith("wan2.7-image")) {
            return "InvalidParameter:Model not exist.";
        }
        if (zImage && (async || path.contains("image-generation"))) {
            return "AccessDenied:current user api does not support asynchronous calls";
        }
        if (!zImage && path.contains("image-generation") && !async) {
            return "AccessDenied:current user api does not support synchronous calls";
        }
        JsonNode content = body.path("input").path("messages").path(0).path("content");
        if (!content.isArray() || content.isEmpty() || !content.get(0).has("text")) {
            return "InvalidParameter:input.messages[0].content must start with the text";
        }
        long images = 0;
        for (JsonNode part : content) {
            images += part.has("image") ? 1 : 0;
        }
        if (zImage && images > 0) {
            return "InvalidParameter:z-image does not accept images";
        }
        String[] size = body.path("parameters").path("size").asString("").split("\\*");
        if (size.length != 2) {
            return "InvalidParameter:size must be W*H";
        }
        if (!zImage && (long) Integer.parseInt(size[0]) * Integer.parseInt(size[1]) < 768L * 768) {
            return "InvalidParameter:The size is smaller than the minimum of 768*768 pixels";
        }
        return null;
    }

    /** The {@code output} object of a finished job: one choice per image. */
    private String result(JsonNode body) {
        int count = body.path("parameters").path("n").asInt(1);
        String size = body.path("parameters").path("size").asString().replace('*', 'x');
        var choices = new StringBuilder();
        for (int i = 0; i < count; i++) {
            choices.append(i == 0 ? "" : ",");
            if (oneImageFailsInspection && i == count - 1) {
                choices.append("{\"finish_reason\":\"stop\",\"code\":\"DataInspectionFailed\",\"message\":{\"role\":\"assistant\",\"content\":[]}}");
            } else {
                choices.append("{\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"image\",\"image\":\"")
                        .append(baseUrl()).append("/oss/").append(size).append("-").append(i).append(".png?Expires=1\"}]}}");
            }
        }
        return "{\"choices\":[" + choices + "],\"finished\":true}";
    }

    int submits() {
        return (int) calls().stream().filter(c -> c.path().endsWith("/generation")).count();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.path().endsWith("/generation")).toList().getLast().bodyText());
    }
}
