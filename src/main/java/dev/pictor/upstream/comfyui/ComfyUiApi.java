package dev.pictor.upstream.comfyui;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.ImageProbe;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ComfyUI's HTTP routes as the adapter uses them; errors mapped by {@link ComfyUiErrors}. */
final class ComfyUiApi {
    private final String baseUrl;
    private final UpstreamHttp http;

    ComfyUiApi(String baseUrl, UpstreamHttp http) {
        this.baseUrl = baseUrl;
        this.http = http;
    }

    /** ComfyUI's queue: prompt ids running, and pending in the order they will run. */
    record Queue(List<String> running, List<String> pending) {
        int size() {
            return running.size() + pending.size();
        }

        /** 0 when running, 1 for the next to run, ...; -1 when not queued. */
        int position(String id) {
            if (running.contains(id)) {
                return 0;
            }
            int at = pending.indexOf(id);
            return at < 0 ? -1 : at + 1;
        }
    }

    /** Where a prompt id is: its history entry once done (else null), its queue position while queued (else -1). */
    record Seen(JsonNode entry, int position) {
    }

    Queue queue() throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/queue")).GET());
        if (!answer.ok()) {
            throw http.failure(answer, "", false);
        }
        JsonNode json = http.json(answer);
        List<String> running = new ArrayList<>();
        for (JsonNode item : json.path("queue_running")) {
            running.add(item.path(1).asString(""));
        }
        // queue_pending is a heap's array: its order is not the run order; the item's number (index 0) is
        List<JsonNode> pending = new ArrayList<>();
        json.path("queue_pending").forEach(pending::add);
        pending.sort(Comparator.comparingDouble(item -> item.path(0).asDouble(0)));
        return new Queue(running, pending.stream().map(item -> item.path(1).asString("")).toList());
    }

    /** The prompt's history entry, or null while it has none (queued, running, or unknown). */
    JsonNode history(String id) throws UpstreamException, InterruptedException {
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/history/" + id)).GET());
        if (!answer.ok()) {
            throw http.failure(answer, "", false);
        }
        JsonNode entry = http.json(answer).path(id);
        return entry.isObject() ? entry : null;
    }

    /**
     * Looks in the queue first, then the history: ComfyUI writes the history entry before it drops a
     * finished prompt from the queue, so a prompt that leaves the queue between the two reads is in the
     * history by the second. Read the other way round, it could be in neither.
     */
    Seen find(String id) throws UpstreamException, InterruptedException {
        int position = queue().position(id);
        if (position >= 0) {
            return new Seen(null, position);
        }
        return new Seen(history(id), -1);
    }

    /** Removes a prompt's history entry ({@code POST /history {"delete": [id]}}). */
    void forget(String id) throws UpstreamException, InterruptedException {
        ObjectNode body = Json.object();
        body.putArray("delete").add(id);
        UpstreamHttp.Answer answer = postJson("/history", body);
        if (!answer.ok()) {
            throw http.failure(answer, "", false);
        }
    }

    /** {@code POST /upload/image} (multipart {@code image}, {@code type=input}, {@code overwrite=true}): the same name each time. */
    void upload(String name, SourceImage source) throws UpstreamException, InterruptedException {
        String boundary = "pictor-" + UUID.randomUUID();
        var out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + name + "\"\r\nContent-Type: "
                + source.contentType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(source.bytes());
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        field(out, boundary, "type", "input");
        field(out, boundary, "overwrite", "true");
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/upload/image"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())));
        if (!answer.ok()) {
            throw http.failure(answer, "the source image upload was refused", false);
        }
    }

    private static void field(ByteArrayOutputStream out, String boundary, String name, String value) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code POST /prompt} with the filled workflow, {@code prompt_id} (ours) and {@code client_id} (the
     * task id); the id ComfyUI answers with (ours, unless an older build chose its own).
     */
    String queuePrompt(Workflow.Filled filled, String workflow, String id, String taskId) throws UpstreamException, InterruptedException {
        ObjectNode body = Json.object();
        body.set("prompt", filled.graph());
        body.put("prompt_id", id);
        body.put("client_id", taskId);
        UpstreamHttp.Answer answer = postJson("/prompt", body);
        if (!answer.ok()) {
            throw ComfyUiErrors.refused(http, answer, workflow, filled);
        }
        String accepted = http.json(answer).path("prompt_id").asString("");
        if (accepted.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "comfyui accepted the prompt without a prompt_id", true);
        }
        return accepted;
    }

    /** Deletes the prompt from the queue if it waits there, interrupts it if it runs; nothing once it is done. */
    void stop(String id) throws UpstreamException, InterruptedException {
        Queue queue = queue();
        if (queue.pending().contains(id)) {
            ObjectNode body = Json.object();
            body.putArray("delete").add(id);
            postJson("/queue", body);
        } else if (queue.running().contains(id)) {
            // Newer builds interrupt only the named prompt; older ones ignore the body and stop whatever
            // runs, which the queue read just said is this prompt.
            postJson("/interrupt", Json.object().put("prompt_id", id));
        }
    }

    /**
     * The images a finished prompt saved ({@code type: output}; previews only when it saved none), at
     * most {@code count}, fetched with {@code GET /view} and converted to {@code format} when needed.
     */
    List<GeneratedImage> outputs(JsonNode entry, String workflow, int count, ImageFormat format) throws UpstreamException, InterruptedException {
        List<JsonNode> saved = new ArrayList<>();
        List<JsonNode> previews = new ArrayList<>();
        for (var node : entry.path("outputs").properties()) {
            for (JsonNode image : node.getValue().path("images")) {
                ("output".equals(image.path("type").asString("")) ? saved : previews).add(image);
            }
        }
        List<JsonNode> chosen = saved.isEmpty() ? previews : saved;
        if (chosen.isEmpty()) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "comfyui ran workflow " + workflow
                    + " but it produced no image; the operator should check that it ends in a SaveImage node", false);
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (JsonNode image : chosen.subList(0, Math.min(count, chosen.size()))) {
            String query = "filename=" + encode(image.path("filename").asString("")) + "&subfolder=" + encode(image.path("subfolder").asString(""))
                    + "&type=" + encode(image.path("type").asString("output"));
            UpstreamHttp.Answer answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/view?" + query)).GET());
            if (answer.status() == 404) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "comfyui no longer has the output file " + image.path("filename").asString("")
                        + " (HTTP 404)", false);
            }
            if (!answer.ok()) {
                throw http.failure(answer, "", false);
            }
            images.add(inFormat(http.image(answer.body()), format));
        }
        return images;
    }

    private UpstreamHttp.Answer postJson(String path, ObjectNode body) throws UpstreamException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static GeneratedImage inFormat(GeneratedImage image, ImageFormat wanted) throws UpstreamException {
        if (image.contentType().equals(wanted.contentType())) {
            return image;
        }
        try {
            byte[] bytes = ImageEncoder.encode(ImageProbe.decode(image.bytes(), 100_000_000L), wanted);
            return new GeneratedImage(bytes, wanted.contentType(), image.width(), image.height());
        } catch (IOException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "comfyui's image could not be converted to " + wanted.extension(), false);
        }
    }
}
