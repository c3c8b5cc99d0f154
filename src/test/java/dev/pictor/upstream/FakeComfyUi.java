package dev.pictor.upstream;

import com.sun.net.httpserver.HttpExchange;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ComfyUI's HTTP API as its server answers it (reference/upstreams.md §9.1), every route also under
 * {@code /api}: no auth; {@code POST /prompt} validates the API-format graph (known node classes, a
 * {@code SaveImage} output, no unfilled {@code {{...}}}, {@code LoadImage} names that were uploaded)
 * and answers {@code prompt_id} (the client's, when it sent a UUID), {@code number}, {@code node_errors},
 * or a 400 with {@code error.type} {@code missing_node_type} / {@code prompt_outputs_failed_validation};
 * prompts run one at a time in queue order; {@code GET /queue} lists {@code [number, prompt_id, prompt,
 * extra_data, outputs]} items; {@code GET /history/{id}} is {@code {}} until done, then outputs and
 * status; {@code GET /view} serves the saved PNG; {@code POST /upload/image} is multipart;
 * {@code POST /queue {"delete"}}, {@code POST /interrupt} and {@code POST /history {"delete"}} are
 * recorded. Scripted faults replace the answer to {@code POST /prompt}, the call that submits.
 *
 * <p>It also writes the workflow folder Pictor reads: {@code flux-2-pro.json} (text to image) and
 * {@code flux-2-pro-edit.json} (one source), with placeholders.
 */
final class FakeComfyUi extends FakeUpstream {
    private static final Set<String> CLASSES = Set.of("CheckpointLoaderSimple", "CLIPTextEncode", "EmptyLatentImage", "KSampler", "VAEDecode",
            "VAEEncode", "LoadImage", "RepeatLatentBatch", "SaveImage");
    private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]+)\"");

    /** One queued prompt. */
    static final class Job {
        final String id;
        final double number;
        final JsonNode prompt;
        final AtomicInteger polls = new AtomicInteger();
        volatile String state = "queued"; // queued, done, error, interrupted, deleted

        Job(String id, double number, JsonNode prompt) {
            this.id = id;
            this.number = number;
            this.prompt = prompt;
        }

        JsonNode node(String classType) {
            for (JsonNode node : prompt) {
                if (node.path("class_type").asString("").equals(classType)) {
                    return node.path("inputs");
                }
            }
            return Json.object();
        }
    }

    final Path workflows;
    private final List<Job> jobs = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> uploads = new ConcurrentHashMap<>();
    private final Map<String, int[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    /** History reads of the running prompt before it is done. */
    volatile int pendingPolls = 1;
    /** The next prompt to finish fails with this exception message (an execution error). */
    volatile String failWith;
    /** The next accepted prompt is queued, but its answer comes only after this long (the caller has given up). */
    volatile java.time.Duration stallAfterAccepting;

    FakeComfyUi() {
        try {
            workflows = Files.createTempDirectory("pictor-comfyui-workflows-");
            Files.writeString(workflows.resolve("flux-2-pro.json"), textToImage());
            Files.writeString(workflows.resolve("flux-2-pro-edit.json"), edit());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            Call call = record(exchange);
            String path = exchange.getRequestURI().getPath();
            path = path.startsWith("/api/") ? path.substring(4) : path;
            String method = call.method();
            if (method.equals("POST") && path.equals("/prompt")) {
                if (!scriptedFault(exchange)) {
                    prompt(exchange, call);
                }
            } else if (method.equals("GET") && path.equals("/queue")) {
                send(exchange, 200, queueJson());
            } else if (method.equals("POST") && path.equals("/queue")) {
                JsonNode body = Json.parse(call.bodyText());
                for (JsonNode id : body.path("delete")) {
                    jobs.stream().filter(j -> j.id.equals(id.asString()) && j.state.equals("queued") && j != running()).forEach(j -> j.state = "deleted");
                }
                send(exchange, 200, "");
            } else if (method.equals("POST") && path.equals("/interrupt")) {
                Job running = running();
                if (running != null) {
                    running.state = "interrupted";
                }
                send(exchange, 200, "");
            } else if (method.equals("GET") && path.startsWith("/history/")) {
                send(exchange, 200, history(path.substring("/history/".length())));
            } else if (method.equals("POST") && path.equals("/history")) {
                for (JsonNode id : Json.parse(call.bodyText()).path("delete")) {
                    jobs.removeIf(j -> j.id.equals(id.asString()) && !j.state.equals("queued"));
                }
                send(exchange, 200, "");
            } else if (method.equals("POST") && path.equals("/upload/image")) {
                upload(exchange, call);
            } else if (method.equals("GET") && path.equals("/view")) {
                view(exchange);
            } else {
                send(exchange, 404, "404: Not Found");
            }
        });
        server.start();
    }

    private void prompt(HttpExchange exchange, Call call) throws IOException {
        JsonNode body = Json.parse(call.bodyText());
        JsonNode graph = body.path("prompt");
        if (!graph.isObject()) {
            send(exchange, 400, "{\"error\":{\"type\":\"no_prompt\",\"message\":\"No prompt provided\",\"details\":\"\",\"extra_info\":{}},\"node_errors\":{}}");
            return;
        }
        boolean output = false;
        ObjectNode nodeErrors = Json.object();
        for (var node : graph.properties()) {
            String classType = node.getValue().path("class_type").asString("");
            if (!CLASSES.contains(classType)) {
                send(exchange, 400, "{\"error\":{\"type\":\"missing_node_type\",\"message\":\"Node '" + classType
                        + "' not found. The custom node may not be installed.\",\"details\":\"Node ID '#" + node.getKey()
                        + "'\",\"extra_info\":{\"node_id\":\"" + node.getKey() + "\",\"class_type\":\"" + classType + "\"}},\"node_errors\":{}}");
                return;
            }
            output |= classType.equals("SaveImage");
            for (var input : node.getValue().path("inputs").properties()) {
                String value = input.getValue().isString() ? input.getValue().asString() : "";
                boolean bad = value.contains("{{")
                        || classType.equals("LoadImage") && input.getKey().equals("image") && !uploads.containsKey(value)
                        || input.getKey().equals("seed") && !input.getValue().isIntegralNumber();
                if (bad) {
                    ObjectNode error = nodeErrors.putObject(node.getKey());
                    error.putArray("errors").addObject().put("type", "custom_validation_failed").put("message", "Failed to validate")
                            .put("details", input.getKey() + ": " + value).putObject("extra_info").put("input_name", input.getKey());
                    error.put("class_type", classType);
                }
            }
        }
        if (!output) {
            send(exchange, 400, "{\"error\":{\"type\":\"prompt_no_outputs\",\"message\":\"Prompt has no outputs\",\"details\":\"\",\"extra_info\":{}},\"node_errors\":[]}");
            return;
        }
        if (!nodeErrors.isEmpty()) {
            send(exchange, 400, "{\"error\":{\"type\":\"prompt_outputs_failed_validation\",\"message\":\"Prompt outputs failed validation\",\"details\":\"\","
                    + "\"extra_info\":{}},\"node_errors\":" + nodeErrors + "}");
            return;
        }
        String id = body.path("prompt_id").asString("");
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            id = UUID.randomUUID().toString();
        }
        int number = counter.getAndIncrement();
        jobs.add(new Job(id, number, graph));
        java.time.Duration stall = stallAfterAccepting;
        stallAfterAccepting = null;
        if (stall != null) {
            try {
                Thread.sleep(stall.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        send(exchange, 200, "{\"prompt_id\":\"" + id + "\",\"number\":" + number + ",\"node_errors\":{}}");
    }

    private Job running() {
        return jobs.stream().filter(j -> j.state.equals("queued")).findFirst().orElse(null);
    }

    private String queueJson() {
        List<String> running = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        Job first = running();
        for (Job job : jobs) {
            if (!job.state.equals("queued")) {
                continue;
            }
            String item = "[" + job.number + ",\"" + job.id + "\"," + job.prompt + ",{\"client_id\":\"x\"},[\"9\"]]";
            (job == first ? running : pending).add(item);
        }
        // pending in reverse: ComfyUI's list is a heap's array, not in run order
        return "{\"queue_running\":[" + String.join(",", running) + "],\"queue_pending\":[" + String.join(",", pending.reversed()) + "]}";
    }

    private String history(String id) {
        Job job = jobs.stream().filter(j -> j.id.equals(id)).findFirst().orElse(null);
        if (job == null || job.state.equals("deleted")) {
            return "{}";
        }
        if (job.state.equals("queued")) {
            if (job != running() || job.polls.incrementAndGet() <= pendingPolls) {
                return "{}";
            }
            String failure = failWith;
            failWith = null;
            job.state = failure == null ? "done" : "error";
            if (failure != null) {
                return entry(job, "{}", "{\"status_str\":\"error\",\"completed\":false,\"messages\":[[\"execution_start\",{\"prompt_id\":\"" + id
                        + "\"}],[\"execution_error\",{\"prompt_id\":\"" + id + "\",\"node_id\":\"3\",\"node_type\":\"KSampler\",\"exception_message\":\""
                        + failure + "\",\"exception_type\":\"torch.OutOfMemoryError\",\"traceback\":[]}]]}");
            }
        }
        if (job.state.equals("interrupted")) {
            return entry(job, "{}", "{\"status_str\":\"error\",\"completed\":false,\"messages\":[[\"execution_interrupted\",{\"prompt_id\":\"" + id + "\"}]]}");
        }
        if (job.state.equals("error")) {
            return entry(job, "{}", "{\"status_str\":\"error\",\"completed\":false,\"messages\":[[\"execution_error\",{\"node_id\":\"3\",\"node_type\":\"KSampler\","
                    + "\"exception_message\":\"again\",\"exception_type\":\"RuntimeError\"}]]}");
        }
        JsonNode latent = job.node("EmptyLatentImage");
        int width = latent.path("width").asInt(64);
        int height = latent.path("height").asInt(64);
        int batch = latent.path("batch_size").asInt(job.node("RepeatLatentBatch").path("amount").asInt(1));
        List<String> images = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            String name = "ComfyUI_" + job.id.substring(0, 8) + "_" + i + "_.png";
            files.put(name, new int[] {width, height});
            images.add("{\"filename\":\"" + name + "\",\"subfolder\":\"\",\"type\":\"output\"}");
        }
        // a PreviewImage-style temp image as well: Pictor keeps the saved ones
        files.put("preview.png", new int[] {8, 8});
        images.add("{\"filename\":\"preview.png\",\"subfolder\":\"\",\"type\":\"temp\"}");
        return entry(job, "{\"9\":{\"images\":[" + String.join(",", images) + "]}}",
                "{\"status_str\":\"success\",\"completed\":true,\"messages\":[[\"execution_start\",{}],[\"execution_success\",{}]]}");
    }

    private static String entry(Job job, String outputs, String status) {
        return "{\"" + job.id + "\":{\"prompt\":[" + job.number + ",\"" + job.id + "\"," + job.prompt + ",{},[\"9\"]],\"outputs\":" + outputs
                + ",\"status\":" + status + ",\"meta\":{}}}";
    }

    private void upload(HttpExchange exchange, Call call) throws IOException {
        String contentType = call.header("Content-Type");
        Matcher m = FILENAME.matcher(call.bodyText());
        if (contentType == null || !contentType.startsWith("multipart/form-data") || !m.find()) {
            send(exchange, 400, "");
            return;
        }
        uploads.put(m.group(1), call.body());
        send(exchange, 200, "{\"name\":\"" + m.group(1) + "\",\"subfolder\":\"\",\"type\":\"input\"}");
    }

    private void view(HttpExchange exchange) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        int[] size = files.get(query.getOrDefault("filename", ""));
        if (size == null) {
            send(exchange, 404, "");
            return;
        }
        byte[] bytes = image(size[0], size[1], ImageFormat.PNG);
        exchange.getResponseHeaders().add("Content-Type", "image/png");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** Prompts ComfyUI accepted (submits that reached its queue). */
    List<Job> jobs() {
        return List.copyOf(jobs);
    }

    long submits() {
        return jobs.size();
    }

    Map<String, byte[]> uploads() {
        return Map.copyOf(uploads);
    }

    JsonNode lastPrompt() {
        return jobs.getLast().prompt;
    }

    void finishAll() {
        pendingPolls = 0;
    }

    void writeWorkflow(String name, String json) {
        try {
            Files.writeString(workflows.resolve(name + ".json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String textToImage() {
        return """
                {
                  "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "steps": 20, "cfg": 7, "sampler_name": "euler", "scheduler": "normal",
                        "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
                  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux2.safetensors"}},
                  "5": {"class_type": "EmptyLatentImage", "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": "{{count}}"}},
                  "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}, high detail", "clip": ["4", 1]}},
                  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
                  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
                  "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
                }
                """;
    }

    static String edit() {
        return """
                {
                  "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "steps": 20, "cfg": 7, "sampler_name": "euler", "scheduler": "normal",
                        "denoise": 0.6, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["11", 0]}},
                  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux2.safetensors"}},
                  "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}", "clip": ["4", 1]}},
                  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
                  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
                  "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
                  "10": {"class_type": "LoadImage", "inputs": {"image": "{{image_1}}"}},
                  "12": {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0], "vae": ["4", 2]}},
                  "11": {"class_type": "RepeatLatentBatch", "inputs": {"samples": ["12", 0], "amount": "{{count}}"}}
                }
                """;
    }
}
