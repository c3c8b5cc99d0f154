package dev.pictor.catalog;

import dev.pictor.catalog.Field.Choice;
import dev.pictor.catalog.Field.Count;
import dev.pictor.catalog.Field.CustomLimits;
import dev.pictor.catalog.Field.Elements;
import dev.pictor.catalog.Field.Flag;
import dev.pictor.catalog.Field.Prompt;
import dev.pictor.catalog.Field.Seed;
import dev.pictor.catalog.Field.Size;
import dev.pictor.catalog.Field.Urls;
import dev.pictor.catalog.ModelSpec.CrossRule;
import dev.pictor.catalog.ModelSpec.Mode;
import dev.pictor.catalog.ModelSpec.Sizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every image model id of the APIDot contract (reference/apidot-api.md §10, §13) with its input rules
 * and the exact pixel size each combination produces. Where the sources leave a limit open, the
 * choice made here is written in the model's {@code rules} so clients can see it.
 *
 * <p>Sizes: tiered models ({@code resolution} 0.5K/1K/2K/3K/4K) take the aspect ratio at an area of
 * (tier)² pixels, e.g. 1K 1:1 is 1024x1024, each side rounded down to a multiple of 16 and shrunk to
 * the model's edge and pixel limits ({@link Dimensions#fromRatio}). Seedream uses its vendor's 2K
 * preset table. {@code auto} on an edit model keeps the first source image's aspect ratio.
 */
public final class ModelCatalog {
    private static final List<String> RATIOS_10 = List.of("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9");
    static final List<String> SEEDREAM_RATIOS = List.of("1:1", "3:4", "4:3", "16:9", "9:16", "3:2", "2:3", "21:9");
    private static final List<String> KLING_RATIOS = List.of("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9");
    static final Map<String, Dimensions> SEEDREAM_2K = Map.of(
            "1:1", new Dimensions(2048, 2048), "4:3", new Dimensions(2304, 1728), "3:4", new Dimensions(1728, 2304),
            "16:9", new Dimensions(2560, 1440), "9:16", new Dimensions(1440, 2560), "3:2", new Dimensions(2496, 1664),
            "2:3", new Dimensions(1664, 2496), "21:9", new Dimensions(3024, 1296));
    private static final CustomLimits GPT_CUSTOM = new CustomLimits(16, 655_360, 8_294_400, 16, 3840, 3.0);
    private static final CustomLimits SEEDREAM_CUSTOM = new CustomLimits(1, 3_686_400, 16_777_216, 14, 16_384, 16.0);
    private static final CustomLimits WAN_CUSTOM = new CustomLimits(1, 262_144, 4_194_304, 128, 4096, 4.0);
    private static final int DEFAULT_PROMPT_LIMIT = 5_000;

    private final Map<String, ModelSpec> models = new LinkedHashMap<>();

    public ModelCatalog() {
        gptImage2();
        nanoBanana("nano-banana-2", "Nano Banana 2", List.of("0.5K", "1K", "2K", "4K"),
                concat(RATIOS_10, List.of("4:1", "1:4", "8:1", "1:8")), List.of("png", "jpeg", "webp"), true);
        nanoBanana("nano-banana-pro", "Nano Banana Pro", List.of("1K", "2K", "4K"), RATIOS_10, List.of("png", "jpg", "jpeg"), false);
        seedream("seedream-4.5", "Seedream 4.5", List.of("2K", "4K"));
        seedream("seedream-5.0-lite", "Seedream 5.0 Lite", List.of("2K", "3K"));
        flux2("flux-2-pro", "FLUX.2 [pro]");
        flux2("flux-2-flex", "FLUX.2 [flex]");
        kontext("flux-kontext-pro", "FLUX.1 Kontext [pro]");
        kontext("flux-kontext-max", "FLUX.1 Kontext [max]");
        wan("wan-2.7-image", "Wan 2.7 Image");
        wan("wan-2.7-image-pro", "Wan 2.7 Image Pro");
        zImage();
        kling("kling-o1-image-edit", "Kling O1 Image (edit)", Mode.EDIT, List.of("1K", "2K"));
        kling("kling-o3-image", "Kling O3 Image", Mode.TEXT_TO_IMAGE, List.of("1K", "2K", "4K"));
        kling("kling-o3-image-edit", "Kling O3 Image (edit)", Mode.EDIT, List.of("1K", "2K", "4K"));
        grokQuality();
        ApidotLegacyModels.all().forEach(this::add);
        OpenAiModels.all().forEach(this::add);
    }

    public Optional<ModelSpec> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public Collection<ModelSpec> all() {
        return models.values();
    }

    // --- model families -------------------------------------------------------------------------

    private void gptImage2() {
        for (boolean edit : new boolean[] {false, true}) {
            String id = edit ? "gpt-image-2-edit" : "gpt-image-2";
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(20_000),
                    new Choice("quality", List.of("low", "medium", "high"), "low", false, "Rendering quality."),
                    new Size("size", concat(List.of("auto"), RATIOS_10), false, "auto", true, false, GPT_CUSTOM,
                            "Aspect ratio, auto, or a custom WIDTHxHEIGHT."),
                    new Choice("resolution", List.of("1K", "2K", "4K"), "1K", false, "Resolution tier.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 16, true));
            }
            Sizer sizer = input -> {
                String size = input.get("size").asString();
                if (size.equals("auto")) {
                    return fixed(new Dimensions(1024, 1024));
                }
                Dimensions custom = Dimensions.parseCustom(size);
                if (custom != null) {
                    return fixed(custom);
                }
                return ratioAt(size, input.get("resolution").asString(), 3840, 8_294_400);
            };
            CrossRule customNeedsTier = (input, model) -> {
                if (Dimensions.parseCustom(input.get("size").asString()) != null && input.get("resolution").asString().equals("1K")) {
                    throw new InvalidInputException("input.resolution", "a custom size needs resolution 2K or 4K for " + model);
                }
            };
            add(new ModelSpec(id, "gpt-image-2", edit ? "GPT Image 2 (edit)" : "GPT Image 2", edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE,
                    fields, ImageFormat.PNG, sizer, input -> 1, List.of(customNeedsTier), List.of(
                            "n is not supported: one image per request",
                            "size auto (the default) always gives 1024x1024, whatever resolution says",
                            "a custom WIDTHxHEIGHT needs resolution 2K or 4K; both sides divisible by 16, longest side <= 3840, "
                                    + "aspect <= 3:1, 655360..8294400 pixels",
                            "ratio sizes: (tier)^2 pixels at that ratio, shrunk to longest side 3840 and 8294400 pixels")));
        }
    }

    private void nanoBanana(String base, String title, List<String> tiers, List<String> ratios, List<String> formats, boolean isNb2) {
        for (boolean edit : new boolean[] {false, true}) {
            String id = edit ? base + "-edit" : base;
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(DEFAULT_PROMPT_LIMIT),
                    new Choice("resolution", tiers, "1K", false, "Resolution tier."),
                    new Size("size", concat(List.of("auto"), ratios), false, "auto", false, false, null, "Aspect ratio or auto."),
                    new Choice("output_format", formats, "png", false, "Output encoding.")));
            if (isNb2) {
                fields.add(new Flag("google_search", "Ground the image in Google Search results."));
                fields.add(new Seed());
            } else {
                fields.add(new Flag("enable_web_search", "Ground the image in web search results."));
                fields.add(new Count("n", 1, 1, null, "Number of images (always 1)."));
            }
            if (edit) {
                fields.add(new Urls("image_urls", 1, 14, true));
            }
            add(new ModelSpec(id, base, edit ? title + " (edit)" : title, edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, null,
                    tiered("size", "resolution", 16, 8192, 16_777_216, edit), input -> 1, List.of(), List.of(
                            "one image per request",
                            edit ? "size auto (the default) keeps the first source image's aspect ratio"
                                    : "size auto (the default) gives a square image",
                            "sizes: (tier)^2 pixels at the ratio, sides rounded down to multiples of 16")));
        }
    }

    private void seedream(String base, String title, List<String> tiers) {
        for (boolean edit : new boolean[] {false, true}) {
            String id = edit ? base + "-edit" : base;
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(DEFAULT_PROMPT_LIMIT),
                    new Size("size", concat(tiers, SEEDREAM_RATIOS), false, "2K", true, true, SEEDREAM_CUSTOM,
                            "Resolution tier, aspect ratio (2K presets), custom WIDTHxHEIGHT or {width, height}."),
                    new Count("n", 1, 15, 1, "Number of images."),
                    new Flag("enable_safety_checker", "Ask the upstream to run its safety checker.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 10, true));
            }
            List<CrossRule> rules = edit ? List.of((input, model) -> {
                int total = input.get("image_urls").size() + input.get("n").intValue();
                if (total > 15) {
                    throw new InvalidInputException("input.n", "len(image_urls) + n must be at most 15 for " + model + " (got " + total + ")");
                }
            }) : List.of();
            Sizer sizer = input -> {
                String size = input.get("size").isString() ? input.get("size").asString() : "";
                if (tiers.contains(size)) {
                    int edge = tierEdge(size);
                    return fixed(new Dimensions(edge, edge));
                }
                Dimensions preset = SEEDREAM_2K.get(size);
                return fixed(preset != null ? preset : Size.dimensionsOf(input.get("size")));
            };
            add(new ModelSpec(id, base, edit ? title + " (edit)" : title, edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, ImageFormat.JPEG,
                    sizer, input -> input.get("n").intValue(), rules, List.of(
                            "seed, resolution and output_format are not supported",
                            "a tier (" + String.join("/", tiers) + ") gives a square image of that tier; a ratio gives the 2K preset "
                                    + "(1:1 2048x2048, 4:3 2304x1728, 16:9 2560x1440, 3:2 2496x1664, 21:9 3024x1296, and their transposes)",
                            "custom sizes: 3686400..16777216 pixels, aspect <= 16:1",
                            edit ? "len(image_urls) + n <= 15" : "n images per request (1-15)")));
        }
    }

    private void flux2(String base, String title) {
        for (boolean edit : new boolean[] {false, true}) {
            String id = edit ? base + "-edit" : base;
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(1_000),
                    new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "auto"), true, null, false, false, null,
                            "Aspect ratio; auto follows the first source image."),
                    new Choice("resolution", List.of("1K", "2K"), null, true, "Resolution tier.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 8, true));
            }
            add(new ModelSpec(id, "flux-2", edit ? title + " (edit)" : title, edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, ImageFormat.JPEG,
                    tiered("size", "resolution", 16, 4096, 4_194_304, edit), input -> 1, List.of(), List.of(
                            "size and resolution are required",
                            edit ? "size auto keeps the first source image's aspect ratio" : "size auto gives a square image",
                            "sizes: (tier)^2 pixels at the ratio, multiples of 16, at most 4 megapixels")));
        }
    }

    private void kontext(String base, String title) {
        for (boolean edit : new boolean[] {false, true}) {
            String id = edit ? base + "-edit" : base;
            List<Field> fields = new ArrayList<>(List.of(
                    new Prompt(DEFAULT_PROMPT_LIMIT),
                    new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16", "21:9", "16:21", "9:21"), false, null, false, false, null,
                            edit ? "Aspect ratio; when absent, the source image's." : "Aspect ratio; 1:1 when absent."),
                    new Choice("output_format", List.of("png", "jpg"), "png", false, "Output encoding.")));
            if (edit) {
                fields.add(new Urls("image_urls", 1, 1, true));
            }
            add(new ModelSpec(id, "flux-kontext", edit ? title + " (edit)" : title, edit ? Mode.EDIT : Mode.TEXT_TO_IMAGE, fields, null,
                    tiered("size", null, 16, 2048, 1_048_576, edit), input -> 1, List.of(), List.of(
                            edit ? "image_urls takes exactly one image" : "image_urls is not accepted",
                            "about one megapixel at the ratio, multiples of 16")));
        }
    }

    private void wan(String id, String title) {
        List<Field> fields = List.of(
                new Prompt(DEFAULT_PROMPT_LIMIT),
                new Size("size", List.of("512x512", "1024x1024", "768x1024", "1024x768", "576x1024", "1024x576"), false, "1024x1024",
                        false, true, WAN_CUSTOM, "Preset WIDTHxHEIGHT or {width, height}."),
                new Count("n", 1, 4, 1, "Number of images."),
                new Seed(),
                new Urls("image_urls", 0, 4, false));
        add(new ModelSpec(id, "wan-2.7", title, Mode.TEXT_OR_REFERENCE, fields, ImageFormat.PNG,
                input -> fixed(Size.dimensionsOf(input.get("size"))), input -> input.get("n").intValue(), List.of(),
                List.of("image_urls (up to 4) switches to reference-guided mode",
                        "custom {width, height}: 262144..4194304 pixels, each side 128..4096, aspect <= 4:1")));
    }

    private void zImage() {
        List<Field> fields = List.of(
                new Prompt(1_000),
                new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16"), true, null, false, false, null, "Aspect ratio."),
                new Flag("enable_safety_checker", "Ask the upstream to run its safety checker."));
        add(new ModelSpec("z-image", "z-image", "Z-Image", Mode.TEXT_TO_IMAGE, fields, ImageFormat.PNG,
                tiered("size", null, 16, 2048, 1_048_576, false), input -> 1, List.of(),
                List.of("prompt-only: image_urls is not accepted", "size is required; about one megapixel at the ratio")));
    }

    private void kling(String id, String title, Mode mode, List<String> tiers) {
        boolean edit = mode == Mode.EDIT;
        List<Field> fields = new ArrayList<>(List.of(
                new Prompt(2_500),
                new Choice("resolution", tiers, "1K", false, "Resolution tier."),
                new Size("size", edit ? concat(List.of("auto"), KLING_RATIOS) : KLING_RATIOS, false, edit ? "auto" : "1:1", false, false,
                        null, edit ? "Aspect ratio, or auto for the first source image's." : "Aspect ratio."),
                new Choice("output_format", List.of("jpeg", "jpg", "png", "webp"), "png", false, "Output encoding."),
                new Count("n", 1, 9, null, "Number of images (single results)."),
                new Choice("result_type", List.of("single", "series"), "single", false, "single images, or a series of related images."),
                new Count("series_amount", 2, 9, null, "Images in a series (with result_type series)."),
                new Elements(10)));
        if (edit) {
            fields.add(new Urls("image_urls", 1, 10, true));
        }
        CrossRule series = (input, model) -> {
            boolean isSeries = input.get("result_type").asString().equals("series");
            if (isSeries && !input.has("series_amount")) {
                throw new InvalidInputException("input.series_amount", "series_amount is required for " + model + " when result_type is series");
            }
            if (!isSeries && input.has("series_amount")) {
                throw new InvalidInputException("input.series_amount", "series_amount needs result_type series for " + model);
            }
            if (isSeries && input.has("n")) {
                throw new InvalidInputException("input.n", "n cannot be combined with result_type series for " + model + "; use series_amount");
            }
        };
        CrossRule references = (input, model) -> {
            int images = input.has("image_urls") ? input.get("image_urls").size() : 0;
            int elements = input.has("elements") ? input.get("elements").size() : 0;
            if (images + elements > 10) {
                throw new InvalidInputException("input.elements", "len(image_urls) + len(elements) must be at most 10 for " + model);
            }
        };
        add(new ModelSpec(id, "kling-image", title, mode, fields, null,
                tiered("size", "resolution", 16, 8192, 16_777_216, edit),
                input -> input.get("result_type").asString().equals("series")
                        ? input.get("series_amount").intValue()
                        : input.has("n") ? input.get("n").intValue() : 1,
                List.of(series, references), List.of(
                        "n (1-9) images, or series_amount (2-9) with result_type series",
                        "len(image_urls) + len(elements) <= 10",
                        edit ? "size auto (the default) keeps the first source image's aspect ratio" : "size auto is only accepted on -edit models",
                        "sizes: (tier)^2 pixels at the ratio, multiples of 16")));
    }

    private void grokQuality() {
        List<Field> fields = List.of(
                new Prompt(DEFAULT_PROMPT_LIMIT),
                new Count("n", 1, 10, null, "Number of images."),
                new Choice("aspect_ratio", List.of("1:1", "2:3", "3:2", "9:16", "16:9"), "1:1", false, "Aspect ratio."),
                new Choice("resolution", List.of("1K", "2K"), "1K", false, "Resolution tier."),
                new Choice("output_format", List.of("png", "jpeg", "jpg", "webp"), "png", false, "Output encoding."),
                new Urls("image_urls", 0, 3, false));
        add(new ModelSpec("grok-imagine-image-quality", "grok-imagine", "Grok Imagine Image (quality)", Mode.TEXT_OR_REFERENCE, fields,
                null, tiered("aspect_ratio", "resolution", 16, 4096, 4_194_304, false),
                input -> input.has("n") ? input.get("n").intValue() : 1, List.of(),
                List.of("image_urls (up to 3) switches to reference-guided editing", "n: 1-10 images")));
    }

    // --- helpers ---------------------------------------------------------------------------------

    private void add(ModelSpec spec) {
        models.put(spec.id(), spec);
    }

    private static OutputSize fixed(Dimensions d) {
        return new OutputSize.Fixed(d);
    }

    private static int tierEdge(String tier) {
        return switch (tier) {
            case "0.5K" -> 512;
            case "1K" -> 1024;
            case "2K" -> 2048;
            case "3K" -> 3072;
            case "4K" -> 4096;
            default -> throw new IllegalArgumentException("unknown tier " + tier);
        };
    }

    private static OutputSize ratioAt(String ratio, String tier, int maxEdge, long maxPixels) {
        double[] r = Dimensions.parseRatio(ratio);
        long area = (long) tierEdge(tier) * tierEdge(tier);
        return fixed(Dimensions.fromRatio(r[0], r[1], area, 16, maxEdge, maxPixels));
    }

    /**
     * Size from an aspect-ratio field and a tier field ({@code tierField} null means 1K). "auto" or an
     * absent ratio follows the first source on edit models and is square otherwise.
     */
    static Sizer tiered(String ratioField, String tierField, int multiple, int maxEdge, long maxPixels, boolean autoFromSource) {
        return input -> {
            String tier = tierField == null ? "1K" : input.get(tierField).asString();
            long area = (long) tierEdge(tier) * tierEdge(tier);
            String ratio = input.has(ratioField) ? input.get(ratioField).asString() : "auto";
            if (ratio.equals("auto")) {
                return autoFromSource
                        ? new OutputSize.FromSource(area, multiple, maxEdge, maxPixels)
                        : fixed(Dimensions.fromRatio(1, 1, area, multiple, maxEdge, maxPixels));
            }
            double[] r = Dimensions.parseRatio(ratio);
            return fixed(Dimensions.fromRatio(r[0], r[1], area, multiple, maxEdge, maxPixels));
        };
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** All descriptions, for {@code GET /api/models}. */
    public List<ObjectNode> describeAll() {
        return models.values().stream().map(ModelSpec::describe).toList();
    }
}
