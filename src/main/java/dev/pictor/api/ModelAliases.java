package dev.pictor.api;

import dev.pictor.catalog.ModelCatalog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code PICTOR_MODEL_ALIASES}: names a client may send on the OpenAI surface and the catalog model
 * each one means, so an operator can have {@code dall-e-3} served by {@code gpt-image-2}. Checked at
 * start-up: a target that is not a catalog model stops the server rather than failing each request.
 */
final class ModelAliases {
    private ModelAliases() {
    }

    static Map<String, String> parse(String text, ModelCatalog catalog) {
        Map<String, String> aliases = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("PICTOR_MODEL_ALIASES must be name=model pairs separated by commas, got '" + pair.trim() + "'");
            }
            String target = parts[1].trim();
            if (catalog.find(target).isEmpty()) {
                throw new IllegalArgumentException("PICTOR_MODEL_ALIASES maps " + parts[0].trim() + " to " + target + ", which is not a catalog model");
            }
            aliases.put(parts[0].trim(), target);
        }
        return Map.copyOf(aliases);
    }
}
