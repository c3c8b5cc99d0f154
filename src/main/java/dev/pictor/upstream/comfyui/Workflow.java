package dev.pictor.upstream.comfyui;

import dev.pictor.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One API-format workflow file ({@code <name>.json}, ComfyUI's "Save (API Format)": node id to
 * {@code {class_type, inputs}}) and the placeholders in its input values.
 *
 * <p>A placeholder is {@code {{name}}} inside a string input value. A value that is exactly one
 * placeholder becomes the typed value ({@code "{{width}}"} becomes the number 1024); a placeholder
 * inside longer text is replaced as text ({@code "{{prompt}}, film grain"}). Names: {@code prompt},
 * {@code seed}, {@code width}, {@code height}, {@code count} (the batch size) and {@code image_1} to
 * {@code image_99} (the uploaded source images, in {@code image_urls} order). Only a node's own input
 * values are read; links ({@code ["4", 0]}) are left alone.
 */
final class Workflow {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");
    private static final Pattern IMAGE = Pattern.compile("image_([1-9][0-9]?)");
    private static final Set<String> NAMES = Set.of("prompt", "seed", "width", "height", "count");

    private final String name;
    private final ObjectNode graph;
    private final Set<String> placeholders;
    private final int images;

    private Workflow(String name, ObjectNode graph, Set<String> placeholders, int images) {
        this.name = name;
        this.graph = graph;
        this.placeholders = placeholders;
        this.images = images;
    }

    /** Reads and checks a workflow file; the message of the exception is one line naming the file. */
    static Workflow read(Path file) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".json".length());
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw refused(file, "is not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw refused(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw refused(file, "is not a workflow: an API-format workflow is a JSON object of nodes");
        }
        if (root.path("nodes").isArray()) {
            throw refused(file, "is in ComfyUI's UI format; export it with \"Save (API Format)\"");
        }
        Set<String> found = new LinkedHashSet<>();
        int highestImage = 0;
        for (var node : root.properties()) {
            JsonNode value = node.getValue();
            if (!value.isObject() || !value.path("class_type").isString() || !value.path("inputs").isObject()) {
                throw refused(file, "node " + node.getKey() + " has no class_type and inputs; export the workflow with \"Save (API Format)\"");
            }
            for (var input : value.path("inputs").properties()) {
                if (!input.getValue().isString()) {
                    continue;
                }
                Matcher m = PLACEHOLDER.matcher(input.getValue().asString());
                while (m.find()) {
                    String placeholder = m.group(1);
                    Matcher image = IMAGE.matcher(placeholder);
                    if (image.matches()) {
                        highestImage = Math.max(highestImage, Integer.parseInt(image.group(1)));
                    } else if (!NAMES.contains(placeholder)) {
                        throw refused(file, "has an unknown placeholder {{" + placeholder + "}} in node " + node.getKey()
                                + " (known: prompt, seed, width, height, count, image_1, image_2, ...)");
                    }
                    found.add(placeholder);
                }
            }
        }
        if (!found.contains("prompt")) {
            throw refused(file, "has no {{prompt}} placeholder, so the client's prompt would not reach ComfyUI");
        }
        return new Workflow(name, (ObjectNode) root, Set.copyOf(found), highestImage);
    }

    private static IllegalArgumentException refused(Path file, String why) {
        return new IllegalArgumentException("PICTOR_COMFYUI_WORKFLOWS: " + file.getFileName() + " " + why);
    }

    String name() {
        return name;
    }

    boolean has(String placeholder) {
        return placeholders.contains(placeholder);
    }

    /** The highest N of an {@code {{image_N}}} placeholder: how many sources a run needs (0 for none). */
    int images() {
        return images;
    }

    /** The workflow with every placeholder replaced, and which whole input values came from which placeholder. */
    record Filled(ObjectNode graph, Map<String, Map<String, String>> placeholderInputs) {
        /** The placeholder an input of a node was filled from as a whole value, or null. */
        String placeholderAt(String nodeId, String input) {
            return placeholderInputs.getOrDefault(nodeId, Map.of()).get(input);
        }
    }

    /** {@code values}: placeholder name to its value; every placeholder of the workflow must have one. */
    Filled fill(Map<String, JsonNode> values) {
        ObjectNode copy = graph.deepCopy();
        Map<String, Map<String, String>> wholes = new HashMap<>();
        for (String nodeId : copy.propertyNames()) {
            ObjectNode inputs = (ObjectNode) copy.get(nodeId).get("inputs");
            for (String key : java.util.List.copyOf(inputs.propertyNames())) {
                JsonNode value = inputs.get(key);
                if (!value.isString()) {
                    continue;
                }
                String text = value.asString();
                Matcher whole = PLACEHOLDER.matcher(text);
                if (whole.matches()) {
                    inputs.set(key, valueOf(values, whole.group(1)));
                    wholes.computeIfAbsent(nodeId, k -> new HashMap<>()).put(key, whole.group(1));
                } else {
                    Matcher m = PLACEHOLDER.matcher(text);
                    StringBuilder out = new StringBuilder();
                    while (m.find()) {
                        JsonNode v = valueOf(values, m.group(1));
                        m.appendReplacement(out, Matcher.quoteReplacement(v.isString() ? v.asString() : v.toString()));
                    }
                    m.appendTail(out);
                    inputs.put(key, out.toString());
                }
            }
        }
        return new Filled(copy, wholes);
    }

    private JsonNode valueOf(Map<String, JsonNode> values, String placeholder) {
        JsonNode v = values.get(placeholder);
        if (v == null) {
            throw new IllegalStateException("workflow " + name + ": no value for {{" + placeholder + "}}");
        }
        return v;
    }
}
