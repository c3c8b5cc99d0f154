package dev.pictor.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed requests for the catalog's model families. Each {@code build()} checks the model's
 * {@link ModelRules} (the server's field rules: enums, ranges, image counts, cross-field rules) and
 * throws {@link PictorException.InvalidRequest} naming the field before anything is sent:
 * <pre>{@code
 * ModelRequest r = Requests.gptImage("gpt-image-2").prompt("a lighthouse").size("16:9").quality("high").build();
 * }</pre>
 * A setter the chosen model does not take (Nano Banana Pro's {@code seed}) fails in {@code build()}
 * exactly as the server would. For any other model id: {@link ModelRequest#of} (checked with
 * {@link ModelRequest#checked()} when the client knows the model).
 */
public final class Requests {
    private Requests() {
    }

    /** gpt-image-2, gpt-image-2-edit. */
    public static GptImage gptImage(String model) {
        return new GptImage(family(model, "gpt-image-2"));
    }

    /** nano-banana-2, nano-banana-pro and their -edit models. */
    public static NanoBanana nanoBanana(String model) {
        return new NanoBanana(family(model, "nano-banana-"));
    }

    /** seedream-4.5, seedream-5.0-lite, seedream-4 and their -edit models. */
    public static Seedream seedream(String model) {
        return new Seedream(family(model, "seedream-"));
    }

    /** flux-2-pro, flux-2-flex and their -edit models. */
    public static Flux2 flux2(String model) {
        return new Flux2(family(model, "flux-2-"));
    }

    /** flux-kontext-pro, flux-kontext-max and their -edit models. */
    public static FluxKontext fluxKontext(String model) {
        return new FluxKontext(family(model, "flux-kontext-"));
    }

    /** kling-o1-image-edit, kling-o3-image, kling-o3-image-edit. */
    public static Kling kling(String model) {
        return new Kling(family(model, "kling-"));
    }

    /** wan-2.7-image, wan-2.7-image-pro. */
    public static Wan wan(String model) {
        return new Wan(family(model, "wan-"));
    }

    /** z-image. */
    public static ZImage zImage() {
        return new ZImage("z-image");
    }

    /** grok-imagine-image-quality ({@code aspectRatio}), grok-imagine-image ({@code size}). */
    public static GrokImagine grokImagine(String model) {
        return new GrokImagine(family(model, "grok-imagine-"));
    }

    private static String family(String model, String prefix) {
        if (model == null || !model.startsWith(prefix) || ModelRules.of(model).isEmpty()) {
            throw new IllegalArgumentException("not a " + prefix + "* model the client knows: " + model);
        }
        return model;
    }

    /** What every family has: the prompt, source images, callback and the checked build. */
    public abstract static class Typed<B extends Typed<B>> {
        private final String model;
        private final Map<String, Object> input = new LinkedHashMap<>();
        private String callbackUrl;

        Typed(String model) {
            this.model = model;
        }

        @SuppressWarnings("unchecked")
        final B set(String field, Object value) {
            input.put(field, value);
            return (B) this;
        }

        public B prompt(String prompt) {
            return set("prompt", prompt);
        }

        /** Source images (edit and reference-guided models). */
        public B imageUrls(List<String> urls) {
            return set("image_urls", List.copyOf(urls));
        }

        @SuppressWarnings("unchecked")
        public B callbackUrl(String url) {
            this.callbackUrl = url;
            return (B) this;
        }

        /** The request, checked against the model's rules; throws {@link PictorException.InvalidRequest}. */
        public ModelRequest build() {
            ModelRules.of(model).orElseThrow().check(input);
            ModelRequest request = ModelRequest.of(model);
            input.forEach(request::put);
            return callbackUrl == null ? request : request.callbackUrl(callbackUrl);
        }
    }

    public static final class GptImage extends Typed<GptImage> {
        GptImage(String model) { super(model); }
        public GptImage quality(String v) { return set("quality", v); }
        /** auto, an aspect ratio, or a custom WIDTHxHEIGHT (needs resolution 2K or 4K). */
        public GptImage size(String v) { return set("size", v); }
        public GptImage resolution(String v) { return set("resolution", v); }
    }

    public static final class NanoBanana extends Typed<NanoBanana> {
        NanoBanana(String model) { super(model); }
        public NanoBanana resolution(String v) { return set("resolution", v); }
        public NanoBanana size(String v) { return set("size", v); }
        public NanoBanana outputFormat(String v) { return set("output_format", v); }
        /** nano-banana-2 only. */
        public NanoBanana googleSearch(boolean v) { return set("google_search", v); }
        /** nano-banana-2 only. */
        public NanoBanana seed(long v) { return set("seed", v); }
        /** nano-banana-pro only. */
        public NanoBanana enableWebSearch(boolean v) { return set("enable_web_search", v); }
    }

    public static final class Seedream extends Typed<Seedream> {
        Seedream(String model) { super(model); }
        /** A tier, an aspect ratio, or (4.5, 5.0 Lite) a custom WIDTHxHEIGHT. */
        public Seedream size(String v) { return set("size", v); }
        public Seedream size(int width, int height) { return set("size", dimensions(width, height)); }
        public Seedream n(int v) { return set("n", v); }
        public Seedream enableSafetyChecker(boolean v) { return set("enable_safety_checker", v); }
        /** seedream-4 only. */
        public Seedream resolution(String v) { return set("resolution", v); }
    }

    public static final class Flux2 extends Typed<Flux2> {
        Flux2(String model) { super(model); }
        public Flux2 size(String v) { return set("size", v); }
        public Flux2 resolution(String v) { return set("resolution", v); }
    }

    public static final class FluxKontext extends Typed<FluxKontext> {
        FluxKontext(String model) { super(model); }
        public FluxKontext size(String v) { return set("size", v); }
        public FluxKontext outputFormat(String v) { return set("output_format", v); }
    }

    public static final class Kling extends Typed<Kling> {
        private final List<Map<String, Object>> elements = new ArrayList<>();

        Kling(String model) { super(model); }
        public Kling resolution(String v) { return set("resolution", v); }
        public Kling size(String v) { return set("size", v); }
        public Kling outputFormat(String v) { return set("output_format", v); }
        public Kling n(int v) { return set("n", v); }
        /** A series of {@code amount} related images (result_type series). */
        public Kling series(int amount) { set("result_type", "series"); return set("series_amount", amount); }

        /** A subject, cited in the prompt as {@code @Element1}, {@code @Element2}, ... */
        public Kling element(String frontalImageUrl, List<String> referenceImageUrls) {
            Map<String, Object> el = new LinkedHashMap<>();
            el.put("frontal_image_url", frontalImageUrl);
            if (!referenceImageUrls.isEmpty()) {
                el.put("reference_image_urls", List.copyOf(referenceImageUrls));
            }
            elements.add(el);
            return set("elements", List.copyOf(elements));
        }
    }

    public static final class Wan extends Typed<Wan> {
        Wan(String model) { super(model); }
        public Wan size(String v) { return set("size", v); }
        public Wan size(int width, int height) { return set("size", dimensions(width, height)); }
        public Wan n(int v) { return set("n", v); }
        public Wan seed(long v) { return set("seed", v); }
    }

    public static final class ZImage extends Typed<ZImage> {
        ZImage(String model) { super(model); }
        public ZImage size(String v) { return set("size", v); }
        public ZImage enableSafetyChecker(boolean v) { return set("enable_safety_checker", v); }
    }

    public static final class GrokImagine extends Typed<GrokImagine> {
        GrokImagine(String model) { super(model); }
        /** grok-imagine-image-quality. */
        public GrokImagine aspectRatio(String v) { return set("aspect_ratio", v); }
        /** grok-imagine-image: its aspect ratio. */
        public GrokImagine size(String v) { return set("size", v); }
        public GrokImagine resolution(String v) { return set("resolution", v); }
        public GrokImagine outputFormat(String v) { return set("output_format", v); }
        public GrokImagine n(int v) { return set("n", v); }
    }

    private static Map<String, Object> dimensions(int width, int height) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", width);
        m.put("height", height);
        return m;
    }
}
