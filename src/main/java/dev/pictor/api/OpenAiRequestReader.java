package dev.pictor.api;

import dev.pictor.task.TaskService;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an OpenAI Images request, a JSON body or a multipart form, into one {@link OpenAiRequest}.
 * Checked here: the parameter names, their types, the values OpenAI itself allows whatever the model,
 * and the images (their form and size). What a particular model can honour is {@link OpenAiMapping}'s.
 */
final class OpenAiRequestReader {
    private static final Set<String> GENERATION_NAMES = Set.of("model", "prompt", "n", "size", "quality", "output_format",
            "output_compression", "background", "response_format", "moderation", "user", "style", "stream", "partial_images");
    private static final Set<String> EDIT_NAMES = union(GENERATION_NAMES, Set.of("image", "image[]", "images", "mask", "input_fidelity"));

    private final long maxBodyBytes;
    private final long maxImageBytes;

    OpenAiRequestReader(long maxBodyBytes, long maxImageBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxImageBytes = maxImageBytes;
    }

    /** A {@code /v1/images/generations} request: JSON only, as OpenAI's. */
    OpenAiRequest generation(Context ctx) {
        Form form = new JsonForm(HttpJson.readObject(ctx, maxBodyBytes));
        checkCommon(form, GENERATION_NAMES);
        return request(form, List.of(), false);
    }

    /** A {@code /v1/images/edits} request: multipart with {@code image}/{@code image[]} uploads, or JSON with {@code images[].image_url}. */
    OpenAiRequest edit(Context ctx) throws IOException {
        boolean multipart = ctx.contentType() != null && ctx.contentType().toLowerCase().startsWith("multipart/form-data");
        if (multipart) {
            Form form = new MultipartForm(ctx);
            checkEdit(form);
            boolean hasMask = !ctx.uploadedFiles("mask").isEmpty() || ctx.formParam("mask") != null;
            return request(form, uploadedImages(ctx), hasMask);
        }
        JsonForm form = new JsonForm(HttpJson.readObject(ctx, maxBodyBytes));
        checkEdit(form);
        boolean hasMask = form.body().has("mask") && !form.body().get("mask").isNull();
        return request(form, jsonImages(form.body()), hasMask);
    }

    private static OpenAiRequest request(Form form, List<TaskService.Source> images, boolean hasMask) {
        return new OpenAiRequest(form.text("model"), form.text("prompt"), form.integer("n"), form.text("size"), form.text("quality"),
                form.text("output_format"), form.text("background"), responseFormat(form), images, hasMask);
    }

    private static void checkEdit(Form form) {
        checkCommon(form, EDIT_NAMES);
        String inputFidelity = form.text("input_fidelity");
        if (inputFidelity != null && !inputFidelity.equals("low") && !inputFidelity.equals("high")) {
            throw ApiException.badRequest("input_fidelity must be low or high", "input_fidelity");
        }
    }

    /** The names, and the parameters Pictor accepts only in the one form that changes nothing about the image. */
    private static void checkCommon(Form form, Set<String> allowed) {
        for (String name : form.names()) {
            if (!allowed.contains(name)) {
                throw OpenAiErrors.unknownParameter(name);
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
        String user = form.text("user"); // accepted and ignored, but still bounded like every other field
        if (user != null) {
            Params.text(user, "user", 256);
        }
        String moderation = form.text("moderation");
        if (moderation != null && !moderation.equals("auto") && !moderation.equals("low")) {
            throw ApiException.badRequest("moderation must be auto or low", "moderation");
        }
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

    private List<TaskService.Source> jsonImages(ObjectNode body) {
        JsonNode images = body.get("images");
        if (body.has("image")) {
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

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
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
            Set<String> names = new HashSet<>(ctx.formParamMap().keySet());
            names.addAll(ctx.uploadedFileMap().keySet());
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
}
