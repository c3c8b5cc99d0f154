package dev.pictor.catalog;

import java.net.URISyntaxException;
import dev.pictor.common.Json;
import java.net.URI;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One {@code input} field of a model: its type and limits, how a value is checked and normalised,
 * and how it is described in {@code GET /api/models}.
 */
sealed interface Field {
    int MAX_URL_CHARS = 2048;
    JsonNodeFactory NODES = JsonNodeFactory.instance;

    String name();

    boolean required();

    /** Checks a present, non-null value and returns its normal form; throws {@link InvalidInputException}. */
    JsonNode check(JsonNode value, String model);

    /** The value used when the field is absent, or null for none. */
    default JsonNode defaultValue() {
        return null;
    }

    /** Machine-readable description: enough to build a form or a client. */
    ObjectNode describe();

    default ObjectNode base(String type, String description) {
        ObjectNode n = Json.object();
        n.put("name", name());
        n.put("type", type);
        n.put("required", required());
        if (defaultValue() != null) {
            n.set("default", defaultValue());
        }
        n.put("description", description);
        return n;
    }

    static InvalidInputException invalid(String field, String message) {
        return new InvalidInputException("input." + field, message);
    }

    static String requireString(JsonNode value, String field, String model) {
        if (!value.isString()) {
            throw invalid(field, field + " must be a string for " + model);
        }
        return value.asString();
    }

    /** The text prompt; never blank. */
    record Prompt(int maxChars) implements Field {
        public String name() {
            return "prompt";
        }

        public boolean required() {
            return true;
        }

        public JsonNode check(JsonNode value, String model) {
            String s = requireString(value, "prompt", model);
            if (s.isBlank()) {
                throw invalid("prompt", "prompt is required for " + model);
            }
            if (s.length() > maxChars) {
                throw invalid("prompt", "prompt must be at most " + maxChars + " characters for " + model + " (got " + s.length() + ")");
            }
            // Upstreams and databases treat NUL, escape sequences and lone surrogates inconsistently; refuse them here.
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                    throw invalid("prompt", "prompt must not contain control characters other than tab and line breaks for " + model);
                }
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw invalid("prompt", "prompt must not contain unpaired UTF-16 surrogates for " + model);
                }
            }
            return value;
        }

        public ObjectNode describe() {
            return base("string", "Text description of the image.").put("max_length", maxChars);
        }
    }

    /** A string from a fixed list. */
    record Choice(String name, List<String> values, String defaultText, boolean required, String description) implements Field {
        public JsonNode check(JsonNode value, String model) {
            String s = requireString(value, name, model);
            if (!values.contains(s)) {
                throw invalid(name, name + " must be one of " + String.join(", ", values) + " for " + model + " (got '" + clip(s) + "')");
            }
            return value;
        }

        public JsonNode defaultValue() {
            return defaultText == null ? null : NODES.stringNode(defaultText);
        }

        public ObjectNode describe() {
            ObjectNode n = base("string", description);
            ArrayNode e = n.putArray("enum");
            values.forEach(e::add);
            return n;
        }
    }

    /** A JSON boolean; "true" as a string is a mistake worth reporting. */
    record Flag(String name, String description) implements Field {
        public boolean required() {
            return false;
        }

        public JsonNode check(JsonNode value, String model) {
            if (!value.isBoolean()) {
                throw invalid(name, name + " must be a JSON boolean (true or false) for " + model);
            }
            return value;
        }

        public ObjectNode describe() {
            return base("boolean", description);
        }
    }

    /** A whole number in [min, max]. */
    record Count(String name, int min, int max, Integer defaultNumber, String description) implements Field {
        public boolean required() {
            return false;
        }

        public JsonNode check(JsonNode value, String model) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw invalid(name, name + " must be an integer for " + model);
            }
            int v = value.intValue();
            if (v < min || v > max) {
                throw invalid(name, min == max
                        ? name + " must be " + min + " for " + model
                        : name + " must be between " + min + " and " + max + " for " + model + " (got " + v + ")");
            }
            return NODES.numberNode(v);
        }

        public JsonNode defaultValue() {
            return defaultNumber == null ? null : NODES.numberNode(defaultNumber);
        }

        public ObjectNode describe() {
            return base("integer", description).put("minimum", min).put("maximum", max);
        }
    }

    /** A seed: an unsigned 32-bit whole number, as the upstreams take it. */
    record Seed() implements Field {
        static final long MAX = 4_294_967_295L;

        public String name() {
            return "seed";
        }

        public boolean required() {
            return false;
        }

        public JsonNode check(JsonNode value, String model) {
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0 || value.longValue() > MAX) {
                throw invalid("seed", "seed must be an integer between 0 and " + MAX + " for " + model);
            }
            return NODES.numberNode(value.longValue());
        }

        public ObjectNode describe() {
            return base("integer", "Seed for repeatable output.").put("minimum", 0).put("maximum", MAX);
        }
    }

    /** A list of source image URLs (http or https). */
    record Urls(String name, int min, int max, boolean required) implements Field {
        public JsonNode check(JsonNode value, String model) {
            if (!value.isArray()) {
                throw invalid(name, name + " must be an array of URLs for " + model);
            }
            if (value.size() < min) {
                throw invalid(name, value.isEmpty() && min == 1
                        ? name + " is required for " + model
                        : name + " needs at least " + min + " image" + (min == 1 ? "" : "s") + " for " + model);
            }
            if (value.size() > max) {
                throw invalid(name, max == 1
                        ? name + " accepts exactly one image for " + model + " (got " + value.size() + ")"
                        : name + " accepts at most " + max + " images for " + model + " (got " + value.size() + ")");
            }
            for (int i = 0; i < value.size(); i++) {
                checkUrl(value.get(i), name + "[" + i + "]", model);
            }
            return value;
        }

        public ObjectNode describe() {
            return base("array", "Source image URLs (http or https), fetched by the server.")
                    .put("items", "url").put("min_items", min).put("max_items", max);
        }

        static void checkUrl(JsonNode item, String label, String model) {
            if (!item.isString() || item.asString().isBlank()) {
                throw invalid(label, label + " must be a non-empty URL string for " + model);
            }
            String url = item.asString();
            if (url.length() > MAX_URL_CHARS) {
                throw invalid(label, label + " must be at most " + MAX_URL_CHARS + " characters for " + model);
            }
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    throw invalid(label, label + " must be an http or https URL for " + model);
                }
                if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
                    throw invalid(label, label + " has a port outside 1-65535 for " + model);
                }
                if (uri.getRawUserInfo() != null) {
                    throw invalid(label, label + " must not carry credentials for " + model);
                }
            } catch (URISyntaxException e) {
                throw invalid(label, label + " is not a valid URL for " + model);
            }
        }
    }

    /** Limits of a custom {@code WIDTHxHEIGHT} size. */
    record CustomLimits(int multiple, long minPixels, long maxPixels, int minEdge, int maxEdge, double maxAspect) {
        void check(Dimensions d, String field, String model) {
            String prefix = field + " " + d + " is not valid for " + model + ": ";
            if (d.width() % multiple != 0 || d.height() % multiple != 0) {
                throw invalid(field, prefix + "both sides must be divisible by " + multiple);
            }
            if (Math.min(d.width(), d.height()) < minEdge || Math.max(d.width(), d.height()) > maxEdge) {
                throw invalid(field, prefix + "each side must be between " + minEdge + " and " + maxEdge + " pixels");
            }
            double aspect = (double) Math.max(d.width(), d.height()) / Math.min(d.width(), d.height());
            if (aspect > maxAspect + 1e-9) {
                throw invalid(field, prefix + "the aspect ratio must be at most " + fmt(maxAspect) + ":1");
            }
            if (d.pixels() < minPixels || d.pixels() > maxPixels) {
                throw invalid(field, prefix + "total pixels must be between " + minPixels + " and " + maxPixels);
            }
        }

        ObjectNode describe() {
            return Json.object().put("multiple_of", multiple).put("min_pixels", minPixels).put("max_pixels", maxPixels)
                    .put("min_edge", minEdge).put("max_edge", maxEdge).put("max_aspect", maxAspect);
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /**
     * A size: one of {@code presets}, or (where allowed) a custom {@code "WxH"} string or a
     * {@code {"width":..,"height":..}} object. Custom forms are normalised to the {@code "WxH"} string.
     */
    record Size(String name, List<String> presets, boolean required, String defaultText, boolean customString,
                boolean object, CustomLimits limits, String description) implements Field {
        public JsonNode check(JsonNode value, String model) {
            if (value.isObject() && object) {
                Dimensions d = objectSize(value, model);
                limits.check(d, name, model);
                ObjectNode normal = Json.object();
                normal.put("width", d.width());
                normal.put("height", d.height());
                return normal;
            }
            if (!value.isString()) {
                throw invalid(name, name + " must be " + (object ? "a string or a {width, height} object" : "a string") + " for " + model);
            }
            String s = value.asString();
            if (presets.contains(s)) {
                return value;
            }
            Dimensions custom = customString ? Dimensions.parseCustom(s) : null;
            if (custom != null) {
                limits.check(custom, name, model);
                return NODES.stringNode(custom.toString());
            }
            String tail = customString ? ", or a custom WIDTHxHEIGHT" : object ? ", or a {width, height} object" : "";
            throw invalid(name, name + " must be one of " + String.join(", ", presets) + tail + " for " + model + " (got '" + clip(s) + "')");
        }

        /** The pixel size of a normalised custom or preset "WxH" value, or null for a ratio or tier. */
        static Dimensions dimensionsOf(JsonNode value) {
            if (value.isObject()) {
                return new Dimensions(value.get("width").intValue(), value.get("height").intValue());
            }
            return Dimensions.parseCustom(value.asString());
        }

        private Dimensions objectSize(JsonNode value, String model) {
            JsonNode w = value.get("width");
            JsonNode h = value.get("height");
            if (value.size() != 2 || w == null || h == null || !w.isIntegralNumber() || !h.isIntegralNumber()
                    || !w.canConvertToInt() || !h.canConvertToInt()) {
                throw invalid(name, name + " object must have exactly the integer fields width and height for " + model);
            }
            return new Dimensions(w.intValue(), h.intValue());
        }

        public JsonNode defaultValue() {
            return defaultText == null ? null : NODES.stringNode(defaultText);
        }

        public ObjectNode describe() {
            ObjectNode n = base(object ? "string|object" : "string", description);
            ArrayNode e = n.putArray("enum");
            presets.forEach(e::add);
            n.put("custom_size", customString || object);
            n.put("custom_string", customString);
            n.put("custom_object", object);
            if (customString || object) {
                n.set("custom_limits", limits.describe());
            }
            return n;
        }
    }

    /** Kling's element descriptors: a frontal image and optional reference images per subject. */
    record Elements(int max) implements Field {
        static final int MAX_REFERENCES = 3;

        public String name() {
            return "elements";
        }

        public boolean required() {
            return false;
        }

        public JsonNode check(JsonNode value, String model) {
            if (!value.isArray()) {
                throw invalid("elements", "elements must be an array of objects for " + model);
            }
            if (value.size() > max) {
                throw invalid("elements", "elements accepts at most " + max + " entries for " + model);
            }
            for (int i = 0; i < value.size(); i++) {
                JsonNode el = value.get(i);
                String label = "elements[" + i + "]";
                if (!el.isObject()) {
                    throw invalid(label, label + " must be an object for " + model);
                }
                for (String key : el.propertyNames()) {
                    if (!key.equals("frontal_image_url") && !key.equals("reference_image_urls")) {
                        throw invalid(label + "." + key, model + " does not support " + label + "." + key);
                    }
                }
                JsonNode frontal = el.get("frontal_image_url");
                if (frontal == null || frontal.isNull()) {
                    throw invalid(label + ".frontal_image_url", label + ".frontal_image_url is required for " + model);
                }
                Urls.checkUrl(frontal, label + ".frontal_image_url", model);
                JsonNode refs = el.get("reference_image_urls");
                if (refs != null && !refs.isNull()) {
                    if (!refs.isArray() || refs.size() > MAX_REFERENCES) {
                        throw invalid(label + ".reference_image_urls", label + ".reference_image_urls must be an array of at most "
                                + MAX_REFERENCES + " URLs for " + model);
                    }
                    for (int j = 0; j < refs.size(); j++) {
                        Urls.checkUrl(refs.get(j), label + ".reference_image_urls[" + j + "]", model);
                    }
                }
            }
            return value;
        }

        public ObjectNode describe() {
            return base("array", "Subject elements: objects with frontal_image_url and optional reference_image_urls (at most 3); "
                    + "cite them in the prompt as @Element1, @Element2, ...").put("max_items", max);
        }
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
