package dev.pictor.task;

import dev.pictor.catalog.InvalidInputException;
import dev.pictor.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's own labels on a task (its user, its order): string values only, and bounded so that a
 * task row stays small and the list filter stays indexable. Keys are kept sorted, so the same
 * metadata always serialises (and hashes, for idempotency) the same way.
 */
public final class Metadata {
    public static final int MAX_KEYS = 16;
    public static final int MAX_KEY_CHARS = 64;
    public static final int MAX_VALUE_CHARS = 512;
    public static final int MAX_TOTAL_BYTES = 4096;

    private Metadata() {
    }

    /** The validated metadata of a submit; empty for an absent or null {@code metadata}. */
    public static Map<String, String> from(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidInputException("metadata", "metadata must be an object of string values");
        }
        if (node.size() > MAX_KEYS) {
            throw new InvalidInputException("metadata", "metadata has " + node.size() + " keys; at most " + MAX_KEYS);
        }
        Map<String, String> values = new TreeMap<>();
        for (var entry : node.properties()) {
            String key = entry.getKey();
            String param = "metadata." + (key.length() > MAX_KEY_CHARS ? key.substring(0, MAX_KEY_CHARS) + "..." : key);
            if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
                throw new InvalidInputException(param, "metadata keys must be 1 to " + MAX_KEY_CHARS + " characters");
            }
            if (!entry.getValue().isString()) {
                throw new InvalidInputException(param, param + " must be a string");
            }
            String value = entry.getValue().asString();
            if (value.length() > MAX_VALUE_CHARS) {
                throw new InvalidInputException(param, param + " is " + value.length() + " characters; at most " + MAX_VALUE_CHARS);
            }
            values.put(key, value);
        }
        int bytes = write(values).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TOTAL_BYTES) {
            throw new InvalidInputException("metadata", "metadata is " + bytes + " bytes as JSON; at most " + MAX_TOTAL_BYTES);
        }
        return Map.copyOf(values);
    }

    /** The stored form (the {@code metadata_json} column); null for no metadata. */
    static String write(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        ObjectNode node = Json.object();
        new TreeMap<>(metadata).forEach(node::put);
        return Json.write(node);
    }

    static Map<String, String> read(String column) {
        if (column == null) {
            return Map.of();
        }
        Map<String, String> values = new TreeMap<>();
        Json.parse(column).properties().forEach(e -> values.put(e.getKey(), e.getValue().asString()));
        return Map.copyOf(values);
    }

    /** The metadata as a JSON object, keys sorted. */
    public static ObjectNode toJson(Map<String, String> metadata) {
        ObjectNode node = Json.object();
        new TreeMap<>(metadata).forEach(node::put);
        return node;
    }
}
