package dev.pictor.catalog;

import dev.pictor.catalog.Field.Choice;
import dev.pictor.catalog.Field.Count;
import dev.pictor.catalog.Field.Prompt;
import dev.pictor.catalog.Field.Size;
import dev.pictor.catalog.Field.Urls;
import dev.pictor.catalog.ModelSpec.CrossRule;
import dev.pictor.catalog.ModelSpec.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The older ids on APIDot's model page whose input rules reference/apidot-api.md §13 gives
 * ({@code seedream-4}, {@code seedream-4-edit}, {@code grok-imagine-image}, {@code gpt-4o-image},
 * {@code gpt-4o-image-edit}). Output sizes the
 * sources leave open are chosen here and written in each model's rules.
 */
final class ApidotLegacyModels {
    private ApidotLegacyModels() {
    }

    static List<ModelSpec> all() {
        List<ModelSpec> specs = new ArrayList<>();
        for (boolean edit : new boolean[] {false, true}) {
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(5_000),
                    new Size("size", ModelCatalog.SEEDREAM_RATIOS, false, "1:1", false, false, null, "Aspect ratio."),
                    new Choice("resolution", List.of("1K", "2K", "4K"), "2K", false, "Resolution tier."),
                    new Count("n", 1, 15, 1, "Number of images.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 14, true));
            }
            List<CrossRule> rules = edit ? List.of((input, model) -> {
                int total = input.get("image_urls").size() + input.get("n").intValue();
                if (total > 15) {
                    throw new InvalidInputException("input.n", "len(image_urls) + n must be at most 15 for " + model + " (got " + total + ")");
                }
            }) : List.of();
            ModelSpec.Sizer sizer = input -> {
                Dimensions preset = ModelCatalog.SEEDREAM_2K.get(input.get("size").asString());
                return new OutputSize.Fixed(switch (input.get("resolution").asString()) {
                    case "1K" -> new Dimensions(preset.width() / 2, preset.height() / 2);
                    case "4K" -> new Dimensions(preset.width() * 2, preset.height() * 2);
                    default -> preset;
                });
            };
            specs.add(new ModelSpec(edit ? "seedream-4-edit" : "seedream-4", "seedream-4", edit ? "Seedream 4 (edit)" : "Seedream 4",
                    edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, ImageFormat.JPEG, sizer, input -> input.get("n").intValue(), rules, List.of(
                            "size is an aspect ratio; resolution 1K/2K/4K (default 2K)",
                            "2K gives the vendor's 2K preset for the ratio (16:9 2560x1440); 1K halves and 4K doubles both sides",
                            edit ? "len(image_urls) + n <= 15" : "n images per request (1-15)")));
        }
        specs.add(new ModelSpec("grok-imagine-image", "grok-imagine", "Grok Imagine Image", Mode.TEXT_OR_REFERENCE, List.of(
                new Prompt(5_000),
                new Size("size", List.of("2:3", "3:2", "1:1", "16:9", "9:16"), false, "1:1", false, false, null, "Aspect ratio."),
                new Urls("image_urls", 1, 1, false)),
                ImageFormat.JPEG, ModelCatalog.tiered("size", null, 16, 4096, 4_194_304, false), input -> 1, List.of(), List.of(
                        "exactly one image_urls entry switches to editing that image",
                        "one image per request, about one megapixel at the ratio (1:1 1024x1024)")));
        // §13: size 1:1, 2:3 or 3:2 and n 1-4; the edit takes 1-5 sources. The pixel sizes are the
        // three of OpenAI's GPT-4o image generation, which this id names.
        Map<String, Dimensions> gpt4oSizes = Map.of("1:1", new Dimensions(1024, 1024), "2:3", new Dimensions(1024, 1536),
                "3:2", new Dimensions(1536, 1024));
        for (boolean edit : new boolean[] {false, true}) {
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(5_000),
                    new Size("size", List.of("1:1", "2:3", "3:2"), false, "1:1", false, false, null, "Aspect ratio."),
                    new Count("n", 1, 4, 1, "Number of images.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 5, true));
            }
            specs.add(new ModelSpec(edit ? "gpt-4o-image-edit" : "gpt-4o-image", "gpt-4o-image",
                    edit ? "GPT-4o Image (edit)" : "GPT-4o Image", edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, ImageFormat.PNG,
                    input -> new OutputSize.Fixed(gpt4oSizes.get(input.get("size").asString())), input -> input.get("n").intValue(),
                    List.of(), List.of(
                            "size is an aspect ratio: 1:1 1024x1024, 2:3 1024x1536, 3:2 1536x1024",
                            edit ? "1-5 source images; n images per request (1-4); mask_url is not supported"
                                    : "n images per request (1-4); image_urls is refused (use gpt-4o-image-edit)")));
        }
        return specs;
    }
}
