package dev.pictor.catalog;

import dev.pictor.catalog.Field.Choice;
import dev.pictor.catalog.Field.Prompt;
import dev.pictor.catalog.Field.Size;
import dev.pictor.catalog.Field.Urls;
import dev.pictor.catalog.ModelSpec.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's own image model names ({@code gpt-image-1}, {@code gpt-image-1.5}, {@code dall-e-3},
 * {@code dall-e-2}), so the many tools whose default is one of them work on first use. Their rules
 * are OpenAI's (reference/upstreams.md, Images API): fixed size menus, OpenAI's quality words, one
 * image per request here. The OpenAI upstream receives them under their own names.
 */
final class OpenAiModels {
    private static final List<String> GPT_IMAGE_SIZES = List.of("auto", "1024x1024", "1536x1024", "1024x1536");

    private OpenAiModels() {
    }

    static List<ModelSpec> all() {
        List<ModelSpec> specs = new ArrayList<>();
        gptImage(specs, "gpt-image-1", "GPT Image 1");
        gptImage(specs, "gpt-image-1.5", "GPT Image 1.5");
        specs.add(new ModelSpec("dall-e-3", "dall-e-3", "DALL-E 3", Mode.TEXT_TO_IMAGE, List.of(
                new Prompt(4_000),
                new Size("size", List.of("1024x1024", "1792x1024", "1024x1792"), false, "1024x1024", false, false, null, "Output size."),
                new Choice("quality", List.of("standard", "hd"), "standard", false, "Rendering quality.")),
                ImageFormat.PNG, OpenAiModels::exactSize, input -> 1, List.of(), List.of(
                        "OpenAI's model name; n is not supported: one image per request",
                        "size is one of OpenAI's three dall-e-3 sizes, exactly")));
        specs.add(new ModelSpec("dall-e-2", "dall-e-2", "DALL-E 2", Mode.TEXT_TO_IMAGE, List.of(
                new Prompt(1_000),
                new Size("size", List.of("256x256", "512x512", "1024x1024"), false, "1024x1024", false, false, null, "Output size.")),
                ImageFormat.PNG, OpenAiModels::exactSize, input -> 1, List.of(), List.of(
                        "OpenAI's model name; n is not supported: one image per request",
                        "size is one of OpenAI's three dall-e-2 sizes, exactly; no edits")));
        return specs;
    }

    private static void gptImage(List<ModelSpec> specs, String base, String title) {
        for (boolean edit : new boolean[] {false, true}) {
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(32_000),
                    new Choice("quality", List.of("low", "medium", "high"), null, false, "Rendering quality (OpenAI's auto when left out)."),
                    new Size("size", GPT_IMAGE_SIZES, false, "auto", false, false, null, "auto (1024x1024) or one of OpenAI's sizes.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 16, true));
            }
            specs.add(new ModelSpec(edit ? base + "-edit" : base, base, edit ? title + " (edit)" : title, edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE,
                    fields, ImageFormat.PNG, OpenAiModels::exactSize, input -> 1, List.of(), List.of(
                            "OpenAI's model name; n is not supported: one image per request",
                            "size auto gives 1024x1024; the others are exactly as named")));
        }
    }

    private static OutputSize exactSize(tools.jackson.databind.node.ObjectNode input) {
        String size = input.get("size").asString();
        if (size.equals("auto")) {
            return new OutputSize.Fixed(new Dimensions(1024, 1024));
        }
        String[] sides = size.split("x");
        return new OutputSize.Fixed(new Dimensions(Integer.parseInt(sides[0]), Integer.parseInt(sides[1])));
    }
}
