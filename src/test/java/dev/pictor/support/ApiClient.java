package dev.pictor.support;

import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The API as a client sees it: real HTTP, JSON in and out. */
public final class ApiClient {
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Response(int status, JsonNode body, HttpResponse<byte[]> raw) {
        public JsonNode data() {
            return body.get("data");
        }

        public String errorMessage() {
            return body.path("error").path("message").asString();
        }

        public String errorParam() {
            return body.path("error").path("param").asString();
        }

        public String errorType() {
            return body.path("error").path("type").asString();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response post(String path, String json, String key) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.build());
    }

    public Response post(String path, JsonNode json, String key) {
        return post(path, Json.write(json), key);
    }

    public Response get(String path, String key) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.build());
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> raw = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = null;
            String type = raw.headers().firstValue("Content-Type").orElse("");
            if (type.startsWith("application/json")) {
                body = Json.MAPPER.readTree(raw.body());
            }
            return new Response(raw.statusCode(), body, raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Downloads a URL as bytes (file URLs are absolute). */
    public HttpResponse<byte[]> download(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Submits and returns the task id, failing the test on anything but 200. */
    public String submit(String key, String model, ObjectNode input) {
        ObjectNode body = Json.object().put("model", model);
        body.set("input", input);
        Response r = post("/api/generate/submit", body, key);
        if (r.status() != 200) {
            throw new AssertionError("submit failed: " + r);
        }
        return r.data().get("task_id").asString();
    }

    /** Polls the status until the task is finished or failed. */
    public JsonNode awaitTerminal(String key, String taskId, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            Response r = get("/api/generate/status/" + taskId, key);
            last[0] = r.data();
            String status = last[0].get("status").asString();
            return status.equals("finished") || status.equals("failed");
        });
        return last[0];
    }

    public static List<String> fileUrls(JsonNode data) {
        return data.get("files").valueStream().map(f -> f.get("file_url").asString()).toList();
    }
}
