package dev.pictor.upstream;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * xAI's image API as its docs describe it: Bearer auth, JSON on both {@code /v1/images/generations}
 * and {@code /v1/images/edits} (multipart is refused), {@code n} images per answer as temporary
 * URLs (JPEG), and errors as {@code {"code","error"}}.
 */
final class FakeXai extends FakeUpstream {
    static final String KEY = "xai-fake-key";
    private final AtomicInteger ids = new AtomicInteger();

    FakeXai() {
        server.createContext("/v1/images/", exchange -> {
            Call call = record(exchange);
            if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"code\":\"Client specified an invalid argument\",\"error\":\"Incorrect API key provided\"}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            if (!String.valueOf(call.header("Content-Type")).startsWith("application/json")) {
                send(exchange, 415, "{\"code\":\"Unsupported media type\",\"error\":\"expected application/json\"}");
                return;
            }
            JsonNode body = Json.parse(call.bodyText());
            boolean edit = call.path().equals("/v1/images/edits");
            if (!body.hasNonNull("prompt") || !body.hasNonNull("model") || (edit && !body.has("image") && !body.has("images"))) {
                send(exchange, 400, "{\"code\":\"Client specified an invalid argument\",\"error\":\"prompt, model (and image on edits) are required\"}");
                return;
            }
            var out = new StringBuilder("{\"data\":[");
            for (int i = 0; i < body.path("n").asInt(1); i++) {
                out.append(i == 0 ? "" : ",").append("{\"url\":\"").append(baseUrl()).append("/tmp/img-").append(ids.incrementAndGet())
                        .append(".jpeg\",\"revised_prompt\":\"\"}");
            }
            send(exchange, 200, out.append("]}").toString());
        });
        server.createContext("/tmp/", exchange -> {
            record(exchange);
            byte[] bytes = image(64, 64, ImageFormat.JPEG);
            exchange.getResponseHeaders().add("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    JsonNode lastJson(String path) {
        return Json.parse(calls(path).getLast().bodyText());
    }
}
