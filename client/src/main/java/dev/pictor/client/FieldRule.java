package dev.pictor.client;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One input field's rule, as Pictor's catalog checks it (server {@code catalog/Field}): the same
 * types, enums, ranges and URL rules, over the plain Java values a {@link ModelRequest} holds
 * (String, Integer/Long, Boolean, List, Map). {@code CatalogRulesTest} feeds both the same inputs.
 */
sealed interface FieldRule {
    String name();

    boolean required();

    /** Checks a present, non-null value; throws {@link PictorException.InvalidRequest}. */
    void check(Object value, String model);

    static PictorException.InvalidRequest invalid(String field, String message) {
        return new PictorException.InvalidRequest(400, ModelRules.CLIENT_CHECK, message, "input." + field);
    }

    static boolean integral(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger;
    }

    static boolean fitsInt(Object v) {
        return integral(v) && new BigInteger(v.toString()).bitLength() < 32;
    }

    record Prompt(int maxChars) implements FieldRule {
        public String name() { return "prompt"; }
        public boolean required() { return true; }

        public void check(Object value, String model) {
            if (!(value instanceof String s)) {
                throw invalid("prompt", "prompt must be a string for " + model);
            }
            if (s.isBlank()) {
                throw invalid("prompt", "prompt is required for " + model);
            }
            if (s.length() > maxChars) {
                throw invalid("prompt", "prompt must be at most " + maxChars + " characters for " + model + " (got " + s.length() + ")");
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                    throw invalid("prompt", "prompt must not contain control characters other than tab and line breaks for " + model);
                }
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw invalid("prompt", "prompt must not contain unpaired UTF-16 surrogates for " + model);
                }
            }
        }
    }

    record Choice(String name, List<String> values, boolean required) implements FieldRule {
        public void check(Object value, String model) {
            if (!(value instanceof String s) || !values.contains(s)) {
                throw invalid(name, name + " must be one of " + String.join(", ", values) + " for " + model);
            }
        }
    }

    record Flag(String name) implements FieldRule {
        public boolean required() { return false; }

        public void check(Object value, String model) {
            if (!(value instanceof Boolean)) {
                throw invalid(name, name + " must be a boolean (true or false) for " + model);
            }
        }
    }

    record Count(String name, int min, int max) implements FieldRule {
        public boolean required() { return false; }

        public void check(Object value, String model) {
            if (!fitsInt(value)) {
                throw invalid(name, name + " must be an integer for " + model);
            }
            long v = ((Number) value).longValue();
            if (v < min || v > max) {
                throw invalid(name, name + " must be between " + min + " and " + max + " for " + model + " (got " + v + ")");
            }
        }
    }

    record Seed() implements FieldRule {
        static final BigInteger MAX = BigInteger.valueOf(4_294_967_295L);

        public String name() { return "seed"; }
        public boolean required() { return false; }

        public void check(Object value, String model) {
            if (!integral(value) || new BigInteger(value.toString()).signum() < 0 || new BigInteger(value.toString()).compareTo(MAX) > 0) {
                throw invalid("seed", "seed must be an integer between 0 and " + MAX + " for " + model);
            }
        }
    }

    record Urls(String name, int min, int max, boolean required) implements FieldRule {
        public void check(Object value, String model) {
            if (!(value instanceof List<?> list)) {
                throw invalid(name, name + " must be a list of URLs for " + model);
            }
            if (list.size() < min || list.size() > max) {
                throw invalid(name, name + " takes " + (min == max ? "exactly " + min : min + " to " + max) + " images for " + model
                        + " (got " + list.size() + ")");
            }
            for (int i = 0; i < list.size(); i++) {
                url(list.get(i), name + "[" + i + "]", model);
            }
        }

        /** A source image URL: http or https with a host, no credentials, at most 2048 characters. */
        static void url(Object item, String label, String model) {
            if (!(item instanceof String url) || url.isBlank()) {
                throw invalid(label, label + " must be a non-empty URL string for " + model);
            }
            if (url.length() > 2048) {
                throw invalid(label, label + " must be at most 2048 characters for " + model);
            }
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                boolean ok = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                        && (uri.getPort() == -1 || (uri.getPort() >= 1 && uri.getPort() <= 65535)) && uri.getRawUserInfo() == null;
                if (!ok) {
                    throw invalid(label, label + " must be an http or https URL without credentials for " + model);
                }
            } catch (URISyntaxException e) {
                throw invalid(label, label + " is not a valid URL for " + model);
            }
        }
    }

    /** Limits of a custom size (server {@code Field.CustomLimits}). */
    record Limits(int multiple, long minPixels, long maxPixels, int minEdge, int maxEdge, double maxAspect) {
        void check(long w, long h, String field, String model) {
            double aspect = (double) Math.max(w, h) / Math.min(w, h);
            if (w % multiple != 0 || h % multiple != 0 || Math.min(w, h) < minEdge || Math.max(w, h) > maxEdge
                    || aspect > maxAspect + 1e-9 || w * h < minPixels || w * h > maxPixels) {
                throw invalid(field, field + " " + w + "x" + h + " is not valid for " + model + ": sides multiples of " + multiple
                        + ", " + minEdge + ".." + maxEdge + " px, aspect <= " + maxAspect + ", " + minPixels + ".." + maxPixels + " pixels");
            }
        }
    }

    /** A preset, or (where {@code limits} allow) a custom "WxH" string and/or a {width, height} map. */
    record Size(String name, List<String> presets, boolean required, boolean customString, boolean object, Limits limits)
            implements FieldRule {
        private static final Pattern CUSTOM = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

        public void check(Object value, String model) {
            if (value instanceof Map<?, ?> m && object) {
                Object w = m.get("width");
                Object h = m.get("height");
                if (m.size() != 2 || !fitsInt(w) || !fitsInt(h)) {
                    throw invalid(name, name + " must have exactly the integer fields width and height for " + model);
                }
                limits.check(((Number) w).longValue(), ((Number) h).longValue(), name, model);
                return;
            }
            if (value instanceof String s) {
                if (presets.contains(s)) {
                    return;
                }
                Matcher custom = CUSTOM.matcher(s);
                if (customString && custom.matches()) {
                    limits.check(Long.parseLong(custom.group(1)), Long.parseLong(custom.group(2)), name, model);
                    return;
                }
            }
            throw invalid(name, name + " must be one of " + String.join(", ", presets)
                    + (customString ? ", or WIDTHxHEIGHT" : "") + (object ? ", or a {width, height} map" : "") + " for " + model);
        }
    }

    /** Kling's subject elements: maps with frontal_image_url and at most 3 reference_image_urls. */
    record Elements(int max) implements FieldRule {
        public String name() { return "elements"; }
        public boolean required() { return false; }

        public void check(Object value, String model) {
            if (!(value instanceof List<?> list) || list.size() > max) {
                throw invalid("elements", "elements must be a list of at most " + max + " maps for " + model);
            }
            for (int i = 0; i < list.size(); i++) {
                String label = "elements[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> el)) {
                    throw invalid(label, label + " must be a map for " + model);
                }
                for (Object key : el.keySet()) {
                    if (!"frontal_image_url".equals(key) && !"reference_image_urls".equals(key)) {
                        throw invalid(label + "." + key, model + " does not support " + label + "." + key);
                    }
                }
                if (el.get("frontal_image_url") == null) {
                    throw invalid(label + ".frontal_image_url", label + ".frontal_image_url is required for " + model);
                }
                Urls.url(el.get("frontal_image_url"), label + ".frontal_image_url", model);
                Object refs = el.get("reference_image_urls");
                if (refs != null) {
                    if (!(refs instanceof List<?> r) || r.size() > 3) {
                        throw invalid(label + ".reference_image_urls", label + ".reference_image_urls takes at most 3 URLs for " + model);
                    }
                    for (int j = 0; j < r.size(); j++) {
                        Urls.url(r.get(j), label + ".reference_image_urls[" + j + "]", model);
                    }
                }
            }
        }
    }
}
