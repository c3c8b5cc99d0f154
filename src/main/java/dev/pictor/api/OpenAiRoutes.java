package dev.pictor.api;

import dev.pictor.common.Json;
import dev.pictor.auth.Principal;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.StoredFile;
import dev.pictor.common.ErrorCode;
import dev.pictor.task.Task;
import dev.pictor.task.TaskService;
import dev.pictor.task.TaskStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI Images API over the task engine: a request is a task whose caller waits for it (up to
 * {@code PICTOR_MAX_WAIT_SECONDS}). When the caller goes away, the task goes on and stays visible in
 * the task list; {@code X-Pictor-Task-Id} names it on every answer.
 */
public final class OpenAiRoutes implements RouteGroup {
    private static final String DEFAULT_MODEL = "gpt-image-2";
    private static final Set<String> COMMON = Set.of("model", "prompt", "n", "size", "quality", "output_format", "output_compression",
            "background", "response_format", "moderation", "user", "style", "stream", "partial_images");
    private static final Set<String> EDIT_ONLY = Set.of("image", "image[]", "images", "mask", "input_fidelity");
    private static final int MAX_IMAGES = 16;

    private final TaskService tasks;
    private final ModelCatalog catalog;
    private final BlobStore blobs;
    private final FileUrls fileUrls;
    private final long maxBodyBytes;
    private final long maxImageBytes;
    private final Duration maxWait;

    public OpenAiRoutes(TaskService tasks, ModelCatalog catalog, BlobStore blobs, FileUrls fileUrls, long maxBodyBytes, long maxImageBytes,
                 Duration maxWait) {
        this.tasks = tasks;
        this.catalog = catalog;
        this.blobs = blobs;
        this.fileUrls = fileUrls;
        this.maxBodyBytes = maxBodyBytes;
        this.maxImageBytes = maxImageBytes;
        this.maxWait = maxWait;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/images/generations", this::generations);
        routes.post("/v1/images/edits", this::edits);
        routes.get("/v1/models", this::models);
    }

    /** The request's parameters, whether they came as JSON or as multipart form fields. */
    private interface Form {
        Set<String> names();

        String text(String name);

        Integer integer(String name);

        Boolean bool(String name);
    }

    private record JsonForm(ObjectNode body) implements Form {
        public Set<String> names() {
            return Set.copyOf(body.propertyNames());
        }

        public String text(String name) {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isString()) {
                throw ApiException.badRequest(name + " must be a string", name);
            }
            return v.asString();
        }

        public Integer integer(String name) {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw ApiException.badRequest(name + " must be an integer", name);
            }
            return v.intValue();
        }

        public Boolean bool(String name) {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isBoolean()) {
                throw ApiException.badRequest(name + " must be a boolean", name);
            }
            return v.asBoolean();
        }
    }

    private record MultipartForm(Context ctx) implements Form {
        public Set<String> names() {
            var names = new java.util.HashSet<>(ctx.formParamMap().keySet());
            ctx.uploadedFileMap().keySet().forEach(names::add);
            return names;
        }

        public String text(String name) {
            return ctx.formParam(name);
        }

        public Integer integer(String name) {
            String v = ctx.formParam(name);
            try {
                return v == null ? null : Integer.valueOf(v.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(name + " must be an integer", name);
            }
        }

        public Boolean bool(String name) {
            String v = ctx.formParam(name);
            if (v == null) {
                return null;
            }
            return switch (v.trim()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw ApiException.badRequest(name + " must be true or false", name);
            };
        }
    }

    private void generations(Context ctx) throws InterruptedException, IOException {
        Principal principal = ApiServer.principal(ctx);
        Form form = new JsonForm(HttpJson.readObject(ctx, maxBodyBytes));
        checkNames(form, COMMON);
        ModelSpec spec = model(form.text("model"));
        if (spec.isEdit()) {
            throw badModel(spec.id() + " edits images; call /v1/images/edits");
        }
        ObjectNode input = OpenAiMapping.input(spec, params(form));
        String responseFormat = responseFormat(form);
        TaskService.Submission submission = tasks.submit(principal.tenantId(), spec.id(), input, null, null);
        answer(ctx, submission.task(), responseFormat, form.text("quality"));
    }

    private void edits(Context ctx) throws InterruptedException, IOException {
        Principal principal = ApiServer.principal(ctx);
        boolean multipart = ctx.contentType() != null && ctx.contentType().toLowerCase().startsWith("multipart/form-data");
        Form form = multipart ? new MultipartForm(ctx) : new JsonForm(HttpJson.readObject(ctx, maxBodyBytes));
        Set<String> allowed = new java.util.HashSet<>(COMMON);
        allowed.addAll(EDIT_ONLY);
        checkNames(form, allowed);
        String inputFidelity = form.text("input_fidelity");
        if (inputFidelity != null && !inputFidelity.equals("low") && !inputFidelity.equals("high")) {
            throw ApiException.badRequest("input_fidelity must be low or high", "input_fidelity");
        }
        ModelSpec spec = editModel(model(form.text("model")));
        List<TaskService.Source> sources = multipart ? uploadedImages(ctx) : jsonImages((JsonForm) form);
        if (sources.isEmpty()) {
            throw ApiException.badRequest("image is required: one or more images to edit", "image");
        }
        if (sources.size() > MAX_IMAGES) {
            throw ApiException.badRequest("at most " + MAX_IMAGES + " images can be edited at once", "image");
        }
        boolean hasMask = multipart ? !ctx.uploadedFiles("mask").isEmpty() || ctx.formParam("mask") != null
                : ((JsonForm) form).body().has("mask") && !((JsonForm) form).body().get("mask").isNull();
        if (hasMask) {
            throw ApiException.badRequest(spec.id() + " does not support a mask; describe the change in the prompt", "mask");
        }
        ObjectNode input = OpenAiMapping.input(spec, params(form));
        String responseFormat = responseFormat(form);
        TaskService.Submission submission = tasks.submitWithSources(principal.tenantId(), spec.id(), input, sources);
        answer(ctx, submission.task(), responseFormat, form.text("quality"));
    }

    private List<TaskService.Source> uploadedImages(Context ctx) throws IOException {
        List<UploadedFile> files = new ArrayList<>(ctx.uploadedFiles("image"));
        files.addAll(ctx.uploadedFiles("image[]"));
        List<TaskService.Source> sources = new ArrayList<>();
        for (UploadedFile file : files) {
            if (file.size() > maxImageBytes) {
                throw ApiException.badRequest("image " + file.filename() + " is over the limit of " + maxImageBytes + " bytes", "image");
            }
            try (InputStream in = file.content()) {
                sources.add(new TaskService.Source.Upload(in.readNBytes((int) maxImageBytes + 1)));
            }
        }
        return sources;
    }

    private List<TaskService.Source> jsonImages(JsonForm form) {
        JsonNode images = form.body().get("images");
        if (form.body().has("image")) {
            throw ApiException.badRequest("the JSON form takes images: [{\"image_url\": ...}]; image is for multipart uploads", "image");
        }
        if (images == null || images.isNull()) {
            return List.of();
        }
        if (!images.isArray()) {
            throw ApiException.badRequest("images must be an array of {\"image_url\": ...}", "images");
        }
        List<TaskService.Source> sources = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            JsonNode ref = images.get(i);
            String param = "images[" + i + "]";
            if (!ref.isObject() || ref.size() != 1) {
                throw ApiException.badRequest(param + " must be an object with exactly one of image_url or file_id", param);
            }
            if (ref.has("file_id")) {
                throw ApiException.badRequest("file_id is not supported; send image_url (a URL or a base64 data URL)", param + ".file_id");
            }
            JsonNode url = ref.get("image_url");
            if (url == null || !url.isString()) {
                throw ApiException.badRequest(param + ".image_url must be a string", param + ".image_url");
            }
            sources.add(source(url.asString(), param + ".image_url"));
        }
        return sources;
    }

    private TaskService.Source source(String url, String param) {
        if (!url.startsWith("data:")) {
            return new TaskService.Source.Url(url);
        }
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
            throw ApiException.badRequest(param + " must be a base64 data URL (data:image/png;base64,...)", param);
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(url.substring(comma + 1));
            if (bytes.length > maxImageBytes) {
                throw ApiException.badRequest(param + " is over the limit of " + maxImageBytes + " bytes", param);
            }
            return new TaskService.Source.Upload(bytes);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(param + " is not valid base64", param);
        }
    }

    private static void checkNames(Form form, Set<String> allowed) {
        for (String name : form.names()) {
            if (!allowed.contains(name)) {
                throw new ApiException(400, "invalid_request_error", "Unrecognized request argument supplied: " + name, name, null, "unknown_parameter");
            }
        }
        Boolean stream = form.bool("stream");
        if (Boolean.TRUE.equals(stream)) {
            throw ApiException.badRequest("stream is not supported; follow a task with GET /api/generate/events/{task_id}", "stream");
        }
        Integer partials = form.integer("partial_images");
        if (partials != null && partials != 0) {
            throw ApiException.badRequest("partial_images is not supported", "partial_images");
        }
        if (form.text("style") != null) {
            throw ApiException.badRequest("style is a dall-e-3 parameter and is not supported", "style");
        }
        Integer compression = form.integer("output_compression");
        if (compression != null && (compression < 0 || compression > 100)) {
            throw ApiException.badRequest("output_compression must be between 0 and 100", "output_compression");
        }
        String moderation = form.text("moderation");
        if (moderation != null && !moderation.equals("auto") && !moderation.equals("low")) {
            throw ApiException.badRequest("moderation must be auto or low", "moderation");
        }
    }

    private static OpenAiMapping.Params params(Form form) {
        return new OpenAiMapping.Params(form.text("prompt"), form.integer("n"), form.text("size"), form.text("quality"),
                form.text("output_format"), form.text("background"));
    }

    private static String responseFormat(Form form) {
        String v = form.text("response_format");
        if (v == null) {
            return "b64_json";
        }
        if (!v.equals("url") && !v.equals("b64_json")) {
            throw ApiException.badRequest("response_format must be url or b64_json", "response_format");
        }
        return v;
    }

    private ModelSpec model(String id) {
        String model = id == null ? DEFAULT_MODEL : id;
        return catalog.find(model).orElseThrow(() -> badModel("The model '" + (model.length() > 64 ? model.substring(0, 64) : model)
                + "' does not exist; GET /v1/models lists the models"));
    }

    /** The model that edits for {@code spec}: itself, or its {@code -edit} sibling. */
    private ModelSpec editModel(ModelSpec spec) {
        if (spec.mode() != ModelSpec.Mode.TEXT_TO_IMAGE) {
            return spec;
        }
        return catalog.find(spec.id() + "-edit").orElseThrow(() -> badModel(spec.id() + " cannot edit images"));
    }

    private static ApiException badModel(String message) {
        return new ApiException(400, "invalid_request_error", message, "model", null, "model_not_found");
    }

    private void answer(Context ctx, Task task, String responseFormat, String quality) throws InterruptedException, IOException {
        ctx.header("X-Pictor-Task-Id", task.id());
        Task done = tasks.awaitTerminal(task, maxWait);
        if (done.status() == TaskStatus.FAILED) {
            throw failure(done);
        }
        if (done.status() != TaskStatus.FINISHED) {
            throw new ApiException(504, "server_error", "the image is not ready after " + maxWait.toSeconds() + " s; task " + done.id()
                    + " goes on and can be followed at /api/generate/status/" + done.id(), null, null, "timeout");
        }
        ObjectNode body = Json.object();
        body.put("created", done.createdAt().getEpochSecond());
        var data = body.putArray("data");
        for (StoredFile file : done.files()) {
            ObjectNode item = data.addObject();
            if (responseFormat.equals("url")) {
                item.put("url", fileUrls.urlFor(file.key()));
            } else {
                BlobStore.Blob blob = blobs.open(file.key()).orElseThrow(() -> new IOException("output " + file.key() + " is missing"));
                try (InputStream in = blob.stream()) {
                    item.put("b64_json", Base64.getEncoder().encodeToString(in.readAllBytes()));
                }
            }
        }
        if (!done.files().isEmpty()) {
            StoredFile first = done.files().getFirst();
            body.put("background", "opaque");
            body.put("output_format", first.contentType().substring("image/".length()));
            body.put("size", first.width() + "x" + first.height());
        }
        if (quality != null) {
            body.put("quality", quality);
        }
        HttpJson.write(ctx, 200, body);
    }

    private static ApiException failure(Task task) {
        String message = task.errorMessage() == null ? "the image could not be generated" : task.errorMessage();
        ErrorCode code = task.errorCode() == null ? ErrorCode.INTERNAL_ERROR : task.errorCode();
        return switch (code) {
            case CONTENT_MODERATED -> new ApiException(400, "image_generation_user_error", message, null, null, "moderation_blocked");
            case INVALID_INPUT -> new ApiException(400, "invalid_request_error", message, null, null, "invalid_input");
            case SOURCE_FETCH_FAILED -> new ApiException(400, "invalid_request_error", message, "image", null, "invalid_image");
            case CANCELLED -> new ApiException(400, "invalid_request_error", message, null, null, "cancelled");
            case TIMEOUT -> new ApiException(504, "server_error", message, null, null, "timeout");
            case INSUFFICIENT_CREDITS -> new ApiException(402, "insufficient_quota", message, null, null, "insufficient_quota");
            case UPSTREAM_ERROR -> new ApiException(502, "server_error", message, null, null, "upstream_error");
            case INTERNAL_ERROR -> new ApiException(500, "server_error", message, null, null, "internal_error");
        };
    }

    private void models(Context ctx) {
        ObjectNode body = Json.object().put("object", "list");
        var data = body.putArray("data");
        for (ModelSpec spec : catalog.all()) {
            data.addObject().put("id", spec.id()).put("object", "model").put("created", 1_795_000_000L).put("owned_by", "pictor");
        }
        HttpJson.write(ctx, 200, body);
    }
}
