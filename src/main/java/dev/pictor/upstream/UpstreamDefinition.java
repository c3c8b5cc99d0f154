package dev.pictor.upstream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything Pictor knows about one upstream before it is built: its name (stored with tasks and
 * shown as {@code provider}), the settings it reads, the catalog models it serves by default with
 * that upstream's own model ids, and how to build it. Each adapter package publishes one; the list
 * of them (root {@code BuiltInUpstreams}) is the only place a new upstream is registered, and the
 * README's upstream table is checked against it.
 *
 * @param models catalog model id to the upstream's model id, for the routes it gets by default
 */
public record UpstreamDefinition(String name, String title, List<Setting> settings, Map<String, String> models, Factory factory) {

    public UpstreamDefinition {
        settings = List.copyOf(settings);
        models = Map.copyOf(models);
    }

    /** One environment variable the upstream reads; {@code required} ones must all be set to enable it. */
    public record Setting(String env, String defaultValue, boolean required) {
        public static Setting required(String env) {
            return new Setting(env, "", true);
        }

        public static Setting optional(String env, String defaultValue) {
            return new Setting(env, defaultValue, false);
        }
    }

    /** Builds the upstream from its settings and what every upstream shares. */
    @FunctionalInterface
    public interface Factory {
        Upstream create(Config config, UpstreamContext context);
    }

    /** This upstream's settings, read from the environment with their defaults applied. */
    public record Config(Map<String, String> values) {
        public Config {
            values = Map.copyOf(values);
        }

        public String get(String env) {
            String value = values.get(env);
            if (value == null) {
                throw new IllegalArgumentException(env + " is not a setting of this upstream");
            }
            return value;
        }
    }

    /** The upstream's settings out of {@code environment}: blank values count as unset. */
    public Config config(Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : settings) {
            String v = environment.get(s.env());
            values.put(s.env(), v == null || v.isBlank() ? s.defaultValue() : v.trim());
        }
        return new Config(values);
    }

    /**
     * True when every required setting has a value: then the upstream is built and routed. Some but
     * not all of them (a Kling access key without its secret) is a mistake that would only show on
     * the first call, so it stops start-up with the names of what is missing.
     */
    public boolean configured(Map<String, String> environment) {
        Config config = config(environment);
        List<String> required = settings.stream().filter(Setting::required).map(Setting::env).toList();
        List<String> missing = required.stream().filter(env -> config.get(env).isBlank()).toList();
        if (!missing.isEmpty() && missing.size() < required.size()) {
            throw new IllegalArgumentException(String.join(", ", missing) + " must be set together with "
                    + String.join(", ", required.stream().filter(env -> !missing.contains(env)).toList()) + " (upstream " + name + ")");
        }
        return missing.isEmpty();
    }
}
