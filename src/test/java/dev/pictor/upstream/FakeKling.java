package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;

/**
 * Kling's omni-image API as it answers: every request's bearer JWT is verified (HS256 signature with
 * the secret key, iss = access key, nbf and exp around now); submit answers {@code {code:0,data:{task_id}}},
 * queries walk submitted → processing → succeed with image URLs, or failed with a reason;
 * errors carry Kling's numeric codes.
 */
final class FakeKling extends FakeUpstream {
    static final String ACCESS = "ak-fake";
    static final String SECRET = "sk-fake-kling-secret";

    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile String failWith;
    /** How many polls of a job answer "processing" before it is done. */
    volatile int processingPolls = 1;

    FakeKling() {
        server.createContext("/v1/images/omni-image", exchange -> {
            Call call = record(exchange);
            String auth = call.header("Authorization");
            if (auth == null || !auth.startsWith("Bearer ") || !validJwt(auth.substring(7))) {
                send(exchange, 401, "{\"code\":1002,\"message\":\"Authorization is invalid\",\"request_id\":\"r1\"}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST")) {
                JsonNode body = Json.parse(call.bodyText());
                String id = "kt-" + ids.incrementAndGet();
                counts.put(id, body.has("series_amount") ? body.get("series_amount").asInt() : body.path("n").asInt(1));
                send(exchange, 200, "{\"code\":0,\"message\":\"SUCCEED\",\"request_id\":\"r\",\"data\":{\"task_id\":\"" + id
                        + "\",\"task_status\":\"submitted\",\"created_at\":1733851336696,\"updated_at\":1733851336696}}");
                return;
            }
            String id = path.substring("/v1/images/omni-image/".length());
            int n = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            String status = n <= processingPolls ? "processing" : failWith != null ? "failed" : "succeed";
            var images = new StringBuilder();
            for (int i = 0; i < counts.getOrDefault(id, 1); i++) {
                images.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"url\":\"").append(baseUrl()).append("/kcdn/").append(id)
                        .append("-").append(i).append(".png\"}");
            }
            send(exchange, 200, "{\"code\":0,\"message\":\"SUCCEED\",\"request_id\":\"r\",\"data\":{\"task_id\":\"" + id + "\",\"task_status\":\""
                    + status + "\",\"task_status_msg\":\"" + (failWith == null ? "" : failWith) + "\",\"created_at\":1,\"updated_at\":2,"
                    + "\"task_result\":{\"images\":[" + (status.equals("succeed") ? images : "") + "]}}}");
        });
        server.createContext("/kcdn/", exchange -> {
            record(exchange);
            byte[] png = image(80, 80, ImageFormat.PNG);
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    static boolean validJwt(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.UTF_8));
            if (!MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]))) {
                return false;
            }
            JsonNode header = Json.parse(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
            JsonNode claims = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            long now = System.currentTimeMillis() / 1000;
            return header.path("alg").asString().equals("HS256") && claims.path("iss").asString().equals(ACCESS)
                    && claims.path("nbf").asLong() <= now && claims.path("exp").asLong() > now && claims.path("exp").asLong() <= now + 1800 + 5;
        } catch (Exception e) {
            return false;
        }
    }

    int polls() {
        return (int) calls().stream().filter(c -> c.method().equals("GET") && c.path().startsWith("/v1/")).count();
    }

    int submits() {
        return (int) calls().stream().filter(c -> c.method().equals("POST")).count();
    }

    JsonNode lastSubmit() {
        return Json.parse(calls().stream().filter(c -> c.method().equals("POST")).toList().getLast().bodyText());
    }
}
