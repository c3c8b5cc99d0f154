package dev.pictor.api;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.common.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Maps an {@link OpenAiRequest} onto a Pictor model and that model's own {@code input} fields, using
 * the same field descriptions {@code GET /api/models} publishes. Where a model cannot honour a
 * parameter, the answer is a 400 naming it, rather than a silently different image.
 */
final class OpenAiMapping {
    /** The model OpenAI's SDKs leave out the name of. */
    private static final String DEFAULT_MODEL = "gpt-image-2";
    private static final int MAX_IMAGES = 16;
    private static final Pattern SIZE = Pattern.compile("(\\d{2,5})x(\\d{2,5})");
    private static final Map<String, Long> TIER_AREAS = Map.of(
            "0.5K", 512L * 512, "1K", 1024L * 1024, "2K", 2048L * 2048, "3K", 3072L * 3072, "4K", 4096L * 4096);

    /** The model a request goes to and the task input it becomes. */
    record Mapped(ModelSpec spec, ObjectNode input) {
    }

    private final ModelCatalog catalog;
    private final Map<String, String> aliases;

    OpenAiMapping(ModelCatalog catalog, Map<String, String> aliases) {
        this.catalog = catalog;
        this.aliases = aliases;
    }

    Mapped generation(OpenAiRequest request) {
        ModelSpec spec = model(request.model());
        if (spec.isEdit()) {
            throw OpenAiErrors.badModel(spec.id() + " edits images; call /v1/images/edits");
        }
        return new Mapped(spec, input(spec, request));
    }

    /** An edit goes to the named model if it edits, else to its {@code -edit} sibling. */
    Mapped edit(OpenAiRequest request) {
        ModelSpec spec = editModel(model(request.model()));
        if (request.images().isEmpty()) {
            throw ApiException.badRequest("image is required: one or more images to edit", "image");
        }
        if (request.images().size() > MAX_IMAGES) {
            throw ApiException.badRequest("at most " + MAX_IMAGES + " images can be edited at once", "image");
        }
        if (request.hasMask()) {
            throw ApiException.badRequest(spec.id() + " does not support a mask; describe the change in the prompt", "mask");
        }
        return new Mapped(spec, input(spec, request));
    }

    private ModelSpec model(String id) {
        String model = aliases.getOrDefault(id == null ? DEFAULT_MODEL : id, id == null ? DEFAULT_MODEL : id);
        return catalog.find(model).orElseThrow(() -> OpenAiErrors.badModel("The model '" + (model.length() > 64 ? model.substring(0, 64) : model)
                + "' does not exist; GET /v1/models lists the models"));
    }

    private ModelSpec editModel(ModelSpec spec) {
        if (spec.mode() != ModelSpec.Mode.TEXT_TO_IMAGE) {
            return spec;
        }
        return catalog.find(spec.id() + "-edit").orElseThrow(() -> OpenAiErrors.badModel(spec.id() + " cannot edit images"));
    }

    private static ObjectNode input(ModelSpec spec, OpenAiRequest p) {
        Map<String, JsonNode> fields = new HashMap<>();
        spec.describe().get("fields").forEach(f -> fields.put(f.get("name").asString(), f));
        String model = spec.id();
        ObjectNode input = Json.object();
        if (p.prompt() == null || p.prompt().isBlank()) {
            throw ApiException.badRequest("prompt is required", "prompt");
        }
        input.put("prompt", p.prompt());
        size(spec, fields, p.size(), input);
        if (p.n() != null) {
            if (fields.containsKey("n")) {
                input.put("n", p.n());
            } else if (p.n() != 1) {
                throw ApiException.badRequest(model + " makes one image per request; n must be 1", "n");
            }
        }
        if (p.quality() != null && !p.quality().equals("auto")) {
            if (!fields.containsKey("quality")) {
                throw ApiException.badRequest(model + " does not support quality (use auto or leave it out)", "quality");
            }
            input.put("quality", p.quality());
        }
        if (p.outputFormat() != null) {
            outputFormat(spec, fields, p.outputFormat(), input);
        }
        if (p.background() != null && !p.background().equals("auto") && !p.background().equals("opaque")) {
            throw ApiException.badRequest(model + " does not support background " + p.background() + "; its images are opaque", "background");
        }
        return input;
    }

    private static void size(ModelSpec spec, Map<String, JsonNode> fields, String size, ObjectNode input) {
        if (size == null || size.equals("auto")) {
            // OpenAI's default is "auto"; a model that requires a size gets 1:1 at 1K, OpenAI's own default shape.
            requiredDefault(fields, "size", "1:1", input);
            requiredDefault(fields, "resolution", "1K", input);
            return;
        }
        var m = SIZE.matcher(size);
        if (!m.matches()) {
            throw ApiException.badRequest("size must be auto or WIDTHxHEIGHT, such as 1024x1024", "size");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        String model = spec.id();
        JsonNode sizeField = fields.containsKey("size") ? fields.get("size") : fields.get("aspect_ratio");
        if (sizeField == null) {
            throw ApiException.badRequest(model + " does not take a size", "size");
        }
        String name = sizeField.get("name").asString();
        boolean preset = false;
        for (JsonNode v : sizeField.get("enum")) {
            preset |= v.asString().equals(size);
        }
        if (preset || sizeField.path("custom_string").asBoolean(false)) {
            input.put(name, size);
            // GPT Image 2 takes custom sizes only at 2K or 4K, and its output is exactly the size asked for.
            if (!preset && fields.containsKey("resolution")) {
                input.put("resolution", Math.max(w, h) <= 2048 ? "2K" : "4K");
            }
            return;
        }
        if (sizeField.path("custom_object").asBoolean(false)) {
            input.putObject(name).put("width", w).put("height", h);
            return;
        }
        // Aspect-ratio models: the ratio must be one the model offers; the tier closest in area is used.
        String ratio = null;
        for (JsonNode v : sizeField.get("enum")) {
            String[] parts = v.asString().split(":");
            if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("\\d+")
                    && (long) w * Long.parseLong(parts[1]) == (long) h * Long.parseLong(parts[0])) {
                ratio = v.asString();
                break;
            }
        }
        if (ratio == null) {
            throw ApiException.badRequest(model + " has no " + size + " output; it offers the aspect ratios "
                    + String.join(", ", sizeField.get("enum").valueStream().map(JsonNode::asString).filter(v -> v.contains(":")).toList()), "size");
        }
        input.put(name, ratio);
        JsonNode tiers = fields.containsKey("resolution") ? fields.get("resolution").get("enum") : null;
        if (tiers != null) {
            long area = (long) w * h;
            String best = null;
            double bestDistance = Double.MAX_VALUE;
            for (JsonNode t : tiers) {
                Long tierArea = TIER_AREAS.get(t.asString());
                if (tierArea != null && Math.abs(Math.log((double) tierArea / area)) < bestDistance) {
                    bestDistance = Math.abs(Math.log((double) tierArea / area));
                    best = t.asString();
                }
            }
            if (best != null) {
                input.put("resolution", best);
            }
        }
    }

    private static void requiredDefault(Map<String, JsonNode> fields, String name, String value, ObjectNode input) {
        JsonNode field = fields.get(name);
        if (field != null && field.get("required").asBoolean() && field.get("enum").valueStream().anyMatch(v -> v.asString().equals(value))) {
            input.put(name, value);
        }
    }

    private static void outputFormat(ModelSpec spec, Map<String, JsonNode> fields, String format, ObjectNode input) {
        if (!format.equals("png") && !format.equals("jpeg") && !format.equals("webp")) {
            throw ApiException.badRequest("output_format must be png, jpeg or webp", "output_format");
        }
        JsonNode field = fields.get("output_format");
        if (field == null) {
            String fixed = spec.describe().path("output_format").asString("");
            if (!fixed.equals(format)) {
                throw ApiException.badRequest(spec.id() + " always returns " + fixed, "output_format");
            }
            return;
        }
        for (String spelling : format.equals("jpeg") ? new String[] {"jpeg", "jpg"} : new String[] {format}) {
            for (JsonNode v : field.get("enum")) {
                if (v.asString().equals(spelling)) {
                    input.put("output_format", spelling);
                    return;
                }
            }
        }
        throw ApiException.badRequest(spec.id() + " does not return " + format, "output_format");
    }
}
