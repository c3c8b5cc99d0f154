package dev.pictor.catalog;

import java.util.List;

/**
 * A validated request in the catalog's normal form: what a provider needs, whatever the model's own
 * field names were. {@code input} is the normalised input object (defaults filled in) that is stored
 * with the task and handed to provider adapters.
 */
public record GenerationRequest(
        String model,
        String prompt,
        List<String> imageUrls,
        int imageCount,
        OutputSize size,
        ImageFormat format,
        Long seed,
        tools.jackson.databind.node.ObjectNode input) {
}
