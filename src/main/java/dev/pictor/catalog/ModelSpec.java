package dev.pictor.catalog;

import dev.pictor.common.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One model id and its input rules. {@link #validate} is the only way a request becomes a
 * {@link GenerationRequest}: unknown fields, type and range errors, and cross-field rules all end in
 * an {@link InvalidInputException} naming the field and the model.
 */
public final class ModelSpec {

    /** Whether {@code image_urls} is forbidden, required, or optional for the model. */
    public enum Mode {
        TEXT_TO_IMAGE("text-to-image"),
        EDIT("edit"),
        TEXT_OR_REFERENCE("text-to-image or reference-guided");

        private final String wire;

        Mode(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** Derives the output size from the normalised input. */
    @FunctionalInterface
    interface Sizer {
        OutputSize size(ObjectNode input);
    }

    /** A rule over several fields, checked after every field is valid on its own. */
    @FunctionalInterface
    interface CrossRule {
        void check(ObjectNode input, String model);
    }

    /** How many images a request produces. */
    @FunctionalInterface
    interface Counter {
        int count(ObjectNode input);
    }

    private final String id;
    private final String family;
    private final String title;
    private final Mode mode;
    private final Map<String, Field> fields;
    private final ImageFormat fixedFormat;
    private final Sizer sizer;
    private final Counter counter;
    private final List<CrossRule> rules;
    private final List<String> notes;

    ModelSpec(String id, String family, String title, Mode mode, List<Field> fields, ImageFormat fixedFormat,
              Sizer sizer, Counter counter, List<CrossRule> rules, List<String> notes) {
        this.id = id;
        this.family = family;
        this.title = title;
        this.mode = mode;
        this.fields = new LinkedHashMap<>();
        fields.forEach(f -> this.fields.put(f.name(), f));
        this.fixedFormat = fixedFormat;
        this.sizer = sizer;
        this.counter = counter;
        this.rules = List.copyOf(rules);
        this.notes = List.copyOf(notes);
    }

    public String id() {
        return id;
    }

    public String family() {
        return family;
    }

    public Mode mode() {
        return mode;
    }

    public boolean isEdit() {
        return mode == Mode.EDIT;
    }

    /** A client's input checked against the model's rules and the server's prompt limit: what submit stores. */
    public GenerationRequest validate(JsonNode rawInput, int globalPromptLimit) {
        ObjectNode input = normalise(rawInput);
        String prompt = input.get("prompt").asString();
        if (prompt.length() > globalPromptLimit) {
            throw new InvalidInputException("input.prompt",
                    "prompt must be at most " + globalPromptLimit + " characters on this server (got " + prompt.length() + ")");
        }
        return request(input);
    }

    /**
     * The request of a stored task, rebuilt from the normalised input {@link #validate} produced when
     * it was submitted. The model's own rules are checked again, because a task outlives restarts and
     * the catalog may have changed under it (a field dropped, a range narrowed): such a task fails with
     * invalid_input instead of reaching the upstream. The server's prompt limit is not: it is an
     * admission rule, already applied at submit, and lowering it must not fail tasks already queued.
     */
    public GenerationRequest restore(JsonNode storedInput) {
        return request(normalise(storedInput));
    }

    /** Every field checked on its own, defaults filled in. */
    private ObjectNode normalise(JsonNode rawInput) {
        if (rawInput == null || rawInput.isNull()) {
            throw new InvalidInputException("input", "input is required for " + id);
        }
        if (!rawInput.isObject()) {
            throw new InvalidInputException("input", "input must be a JSON object for " + id);
        }
        for (String name : rawInput.propertyNames()) {
            if (!fields.containsKey(name) && !rawInput.get(name).isNull()) {
                throw new InvalidInputException("input." + name, id + " does not support " + name);
            }
        }
        ObjectNode input = Json.object();
        for (Field field : fields.values()) {
            JsonNode value = rawInput.get(field.name());
            if (value == null || value.isNull()) {
                if (field.required()) {
                    throw new InvalidInputException("input." + field.name(), field.name() + " is required for " + id);
                }
                if (field.defaultValue() != null) {
                    input.set(field.name(), field.defaultValue());
                }
                continue;
            }
            input.set(field.name(), field.check(value, id));
        }
        return input;
    }

    /** The cross-field rules, then the request in the catalog's normal form. */
    private GenerationRequest request(ObjectNode input) {
        String prompt = input.get("prompt").asString();
        rules.forEach(rule -> rule.check(input, id));
        List<String> urls = new ArrayList<>();
        JsonNode imageUrls = input.get("image_urls");
        if (imageUrls != null) {
            imageUrls.forEach(u -> urls.add(u.asString()));
        }
        ImageFormat format = fixedFormat != null ? fixedFormat : ImageFormat.fromInput(input.get("output_format").asString());
        Long seed = input.has("seed") ? input.get("seed").longValue() : null;
        return new GenerationRequest(id, prompt, List.copyOf(urls), counter.count(input), sizer.size(input), format, seed, input);
    }

    /** The machine-readable description served by {@code GET /api/models}. */
    public ObjectNode describe() {
        ObjectNode n = Json.object();
        n.put("id", id);
        n.put("family", family);
        n.put("title", title);
        n.put("mode", mode.wire());
        n.put("image_urls", switch (mode) {
            case TEXT_TO_IMAGE -> "forbidden";
            case EDIT -> "required";
            case TEXT_OR_REFERENCE -> "optional";
        });
        if (fixedFormat != null) {
            n.put("output_format", fixedFormat.extension());
        }
        ArrayNode fieldList = n.putArray("fields");
        fields.values().forEach(f -> fieldList.add(f.describe()));
        ArrayNode noteList = n.putArray("rules");
        notes.forEach(noteList::add);
        return n;
    }
}
