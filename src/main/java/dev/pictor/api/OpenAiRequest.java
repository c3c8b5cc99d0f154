package dev.pictor.api;

import dev.pictor.task.TaskService;
import java.util.List;

/**
 * One OpenAI Images request as {@link OpenAiRequestReader} read it, whether it came as JSON or as a
 * multipart form: every field has its wire type and OpenAI's own value rules, nothing is checked
 * against a model yet. A field the client left out is {@code null}.
 *
 * @param model the model id the client named
 * @param responseFormat {@code url} or {@code b64_json} (the default)
 * @param images the images to edit, in order; empty for a generation
 * @param hasMask whether the client sent a mask (no model takes one; the mapping says so naming it)
 */
record OpenAiRequest(String model, String prompt, Integer n, String size, String quality, String outputFormat, String background,
                     String responseFormat, List<TaskService.Source> images, boolean hasMask) {
    OpenAiRequest {
        images = List.copyOf(images);
    }
}
