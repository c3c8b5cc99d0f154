package dev.pictor.client;

import dev.pictor.client.FieldRule.Choice;
import dev.pictor.client.FieldRule.Count;
import dev.pictor.client.FieldRule.Elements;
import dev.pictor.client.FieldRule.Flag;
import dev.pictor.client.FieldRule.Limits;
import dev.pictor.client.FieldRule.Prompt;
import dev.pictor.client.FieldRule.Seed;
import dev.pictor.client.FieldRule.Size;
import dev.pictor.client.FieldRule.Urls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The input rules of the catalog's model families, checked on the client before a request is sent:
 * the same fields, enums, ranges, image counts and cross-field rules Pictor's {@code ModelCatalog}
 * enforces (reference: APIDot's model pages), so an invalid payload fails at once with the field
 * named, without a round trip. {@code CatalogRulesTest} runs these and the server's catalog over the
 * same valid and invalid inputs so the two cannot drift apart. A model id not listed here is sent
 * unchecked (the server decides).
 */
public final class ModelRules {
    /** The {@code type} of an {@link PictorException.InvalidRequest} raised here rather than by the server. */
    public static final String CLIENT_CHECK = "client_check";

    private static final List<String> RATIOS_10 = List.of("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9");
    private static final List<String> SEEDREAM_RATIOS = List.of("1:1", "3:4", "4:3", "16:9", "9:16", "3:2", "2:3", "21:9");
    private static final List<String> KLING_RATIOS = List.of("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9");
    private static final Limits GPT = new Limits(16, 655_360, 8_294_400, 16, 3840, 3.0);
    private static final Limits SEEDREAM = new Limits(1, 3_686_400, 16_777_216, 14, 16_384, 16.0);
    private static final Limits WAN = new Limits(1, 262_144, 4_194_304, 128, 4096, 4.0);
    private static final Pattern CUSTOM = Pattern.compile("\\d{1,5}[xX]\\d{1,5}");
    private static final Map<String, ModelRules> ALL = catalog();

    private final String model;
    private final Map<String, FieldRule> fields = new LinkedHashMap<>();
    private final Map<String, Object> defaults;
    private final List<BiConsumer<Map<String, Object>, String>> crossRules;

    private ModelRules(String model, List<FieldRule> fields, Map<String, Object> defaults,
                       List<BiConsumer<Map<String, Object>, String>> crossRules) {
        this.model = model;
        fields.forEach(f -> this.fields.put(f.name(), f));
        this.defaults = Map.copyOf(defaults);
        this.crossRules = List.copyOf(crossRules);
    }

    /** The rules of a catalog model id, or empty for an id the client does not know. */
    public static Optional<ModelRules> of(String model) {
        return Optional.ofNullable(ALL.get(model));
    }

    /** Every model id with client-side rules. */
    public static Set<String> models() {
        return ALL.keySet();
    }

    public String model() {
        return model;
    }

    /** The field names the model accepts. */
    public Set<String> fields() {
        return fields.keySet();
    }

    /** Throws {@link PictorException.InvalidRequest} (param {@code input.<field>}) where Pictor would answer 400. */
    public void check(Map<String, ?> input) {
        for (Map.Entry<String, ?> e : input.entrySet()) {
            if (!fields.containsKey(e.getKey()) && e.getValue() != null) {
                throw FieldRule.invalid(e.getKey(), model + " does not support " + e.getKey());
            }
        }
        Map<String, Object> normal = new HashMap<>(defaults);
        for (FieldRule f : fields.values()) {
            Object v = input.get(f.name());
            if (v == null) {
                if (f.required()) {
                    throw FieldRule.invalid(f.name(), f.name() + " is required for " + model);
                }
                continue;
            }
            f.check(v, model);
            normal.put(f.name(), v);
        }
        crossRules.forEach(r -> r.accept(normal, model));
    }

    // --- the catalog ------------------------------------------------------------------------------

    private static Map<String, ModelRules> catalog() {
        Map<String, ModelRules> all = new LinkedHashMap<>();
        for (boolean edit : new boolean[] {false, true}) {
            String suffix = edit ? "-edit" : "";
            List<FieldRule> gpt = fields(edit, 16, new Prompt(20_000), new Choice("quality", List.of("low", "medium", "high"), false),
                    new Size("size", concat(List.of("auto"), RATIOS_10), false, true, false, GPT),
                    new Choice("resolution", List.of("1K", "2K", "4K"), false));
            put(all, "gpt-image-2" + suffix, gpt, Map.of("resolution", "1K"), List.of((in, m) -> {
                if (CUSTOM.matcher(String.valueOf(in.getOrDefault("size", "auto"))).matches() && "1K".equals(in.get("resolution"))) {
                    throw FieldRule.invalid("resolution", "a custom size needs resolution 2K or 4K for " + m);
                }
            }));
            put(all, "nano-banana-2" + suffix, fields(edit, 14, new Prompt(5_000),
                    new Choice("resolution", List.of("0.5K", "1K", "2K", "4K"), false),
                    new Size("size", concat(List.of("auto"), concat(RATIOS_10, List.of("4:1", "1:4", "8:1", "1:8"))), false, false, false, null),
                    new Choice("output_format", List.of("png", "jpeg", "webp"), false), new Flag("google_search"), new Seed()), Map.of(), List.of());
            put(all, "nano-banana-pro" + suffix, fields(edit, 14, new Prompt(5_000), new Choice("resolution", List.of("1K", "2K", "4K"), false),
                    new Size("size", concat(List.of("auto"), RATIOS_10), false, false, false, null),
                    new Choice("output_format", List.of("png", "jpg", "jpeg"), false), new Flag("enable_web_search"), new Count("n", 1, 1)),
                    Map.of(), List.of());
            for (String[] seedream : new String[][] {{"seedream-4.5", "2K", "4K"}, {"seedream-5.0-lite", "2K", "3K"}}) {
                put(all, seedream[0] + suffix, fields(edit, 10, new Prompt(5_000),
                        new Size("size", concat(List.of(seedream[1], seedream[2]), SEEDREAM_RATIOS), false, true, true, SEEDREAM),
                        new Count("n", 1, 15), new Flag("enable_safety_checker")), Map.of("n", 1), edit ? List.of(imagesPlusN()) : List.of());
            }
            put(all, "seedream-4" + suffix, fields(edit, 14, new Prompt(5_000), new Size("size", SEEDREAM_RATIOS, false, false, false, null),
                    new Choice("resolution", List.of("1K", "2K", "4K"), false), new Count("n", 1, 15)), Map.of("n", 1),
                    edit ? List.of(imagesPlusN()) : List.of());
            for (String flux2 : List.of("flux-2-pro", "flux-2-flex")) {
                put(all, flux2 + suffix, fields(edit, 8, new Prompt(1_000),
                        new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "auto"), true, false, false, null),
                        new Choice("resolution", List.of("1K", "2K"), true)), Map.of(), List.of());
            }
            for (String kontext : List.of("flux-kontext-pro", "flux-kontext-max")) {
                put(all, kontext + suffix, fields(edit, 1, new Prompt(5_000),
                        new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16", "21:9", "16:21", "9:21"), false, false, false, null),
                        new Choice("output_format", List.of("png", "jpg"), false)), Map.of(), List.of());
            }
        }
        for (String wan : List.of("wan-2.7-image", "wan-2.7-image-pro")) {
            put(all, wan, List.of(new Prompt(5_000),
                    new Size("size", List.of("512x512", "1024x1024", "768x1024", "1024x768", "576x1024", "1024x576"), false, false, true, WAN),
                    new Count("n", 1, 4), new Seed(), new Urls("image_urls", 0, 4, false)), Map.of(), List.of());
        }
        put(all, "z-image", List.of(new Prompt(1_000), new Size("size", List.of("1:1", "4:3", "3:4", "16:9", "9:16"), true, false, false, null),
                new Flag("enable_safety_checker")), Map.of(), List.of());
        kling(all, "kling-o1-image-edit", true, List.of("1K", "2K"));
        kling(all, "kling-o3-image", false, List.of("1K", "2K", "4K"));
        kling(all, "kling-o3-image-edit", true, List.of("1K", "2K", "4K"));
        put(all, "grok-imagine-image-quality", List.of(new Prompt(5_000), new Count("n", 1, 10),
                new Choice("aspect_ratio", List.of("1:1", "2:3", "3:2", "9:16", "16:9"), false),
                new Choice("resolution", List.of("1K", "2K"), false), new Choice("output_format", List.of("png", "jpeg", "jpg", "webp"), false),
                new Urls("image_urls", 0, 3, false)), Map.of(), List.of());
        put(all, "grok-imagine-image", List.of(new Prompt(5_000),
                new Size("size", List.of("2:3", "3:2", "1:1", "16:9", "9:16"), false, false, false, null),
                new Urls("image_urls", 1, 1, false)), Map.of(), List.of());
        return Map.copyOf(all);
    }

    private static void kling(Map<String, ModelRules> all, String id, boolean edit, List<String> tiers) {
        List<FieldRule> f = fields(edit, 10, new Prompt(2_500), new Choice("resolution", tiers, false),
                new Size("size", edit ? concat(List.of("auto"), KLING_RATIOS) : KLING_RATIOS, false, false, false, null),
                new Choice("output_format", List.of("jpeg", "jpg", "png", "webp"), false), new Count("n", 1, 9),
                new Choice("result_type", List.of("single", "series"), false), new Count("series_amount", 2, 9), new Elements(10));
        put(all, id, f, Map.of("result_type", "single"), List.of((in, m) -> {
            boolean series = "series".equals(in.get("result_type"));
            if (series != in.containsKey("series_amount")) {
                throw FieldRule.invalid("series_amount", series ? "series_amount is required for " + m + " when result_type is series"
                        : "series_amount needs result_type series for " + m);
            }
            if (series && in.containsKey("n")) {
                throw FieldRule.invalid("n", "n cannot be combined with result_type series for " + m + "; use series_amount");
            }
        }, (in, m) -> {
            int refs = size(in.get("image_urls")) + size(in.get("elements"));
            if (refs > 10) {
                throw FieldRule.invalid("elements", "len(image_urls) + len(elements) must be at most 10 for " + m);
            }
        }));
    }

    private static BiConsumer<Map<String, Object>, String> imagesPlusN() {
        return (in, m) -> {
            int total = size(in.get("image_urls")) + ((Number) in.get("n")).intValue();
            if (total > 15) {
                throw FieldRule.invalid("n", "len(image_urls) + n must be at most 15 for " + m + " (got " + total + ")");
            }
        };
    }

    private static int size(Object list) {
        return list instanceof List<?> l ? l.size() : 0;
    }

    /** The fields, with {@code image_urls} (1..maxImages, required) appended on an edit model. */
    private static List<FieldRule> fields(boolean edit, int maxImages, FieldRule... rules) {
        List<FieldRule> all = new ArrayList<>(List.of(rules));
        if (edit) {
            all.add(new Urls("image_urls", 1, maxImages, true));
        }
        return all;
    }

    private static void put(Map<String, ModelRules> all, String id, List<FieldRule> fields, Map<String, Object> defaults,
                            List<BiConsumer<Map<String, Object>, String>> cross) {
        all.put(id, new ModelRules(id, fields, defaults, cross));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "ModelRules[" + model + ", " + fields.keySet() + "]";
    }
}
