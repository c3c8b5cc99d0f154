package dev.pictor.upstream;

import dev.pictor.Settings;
import dev.pictor.media.SafeFetcher;
import dev.pictor.upstream.ark.ArkUpstream;
import dev.pictor.upstream.bfl.BflUpstream;
import dev.pictor.upstream.dashscope.DashScopeUpstream;
import dev.pictor.upstream.gemini.GeminiUpstream;
import dev.pictor.upstream.kling.KlingUpstream;
import dev.pictor.upstream.openai.OpenAiUpstream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the upstream providers the operator configured and their routes. With a vendor's key set, its
 * models route to it by default; {@code PICTOR_ROUTES} can reorder routes or add fallbacks, e.g.
 * {@code gpt-image-2=openai,sandbox;flux-2-pro=bfl:flux-2-pro}.
 */
public final class Upstreams {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

    /** Each vendor's models: Pictor model id to the vendor's own model id. */
    static final Map<String, Map<String, String>> DEFAULT_MODELS = Map.of(
            OpenAiUpstream.NAME, Map.of("gpt-image-2", "gpt-image-2", "gpt-image-2-edit", "gpt-image-2"),
            BflUpstream.NAME, Map.of(
                    "flux-2-pro", "flux-2-pro", "flux-2-pro-edit", "flux-2-pro",
                    "flux-2-flex", "flux-2-flex", "flux-2-flex-edit", "flux-2-flex",
                    "flux-kontext-pro", "flux-kontext-pro", "flux-kontext-pro-edit", "flux-kontext-pro",
                    "flux-kontext-max", "flux-kontext-max", "flux-kontext-max-edit", "flux-kontext-max"),
            GeminiUpstream.NAME, Map.of(
                    "nano-banana-2", "gemini-3.1-flash-image-preview", "nano-banana-2-edit", "gemini-3.1-flash-image-preview",
                    "nano-banana-pro", "gemini-3-pro-image-preview", "nano-banana-pro-edit", "gemini-3-pro-image-preview"),
            ArkUpstream.NAME, Map.of(
                    "seedream-4.5", "seedream-4-5-251128", "seedream-4.5-edit", "seedream-4-5-251128",
                    "seedream-5.0-lite", "seedream-5-0-260128", "seedream-5.0-lite-edit", "seedream-5-0-260128"),
            KlingUpstream.NAME, Map.of(
                    "kling-o1-image-edit", "kling-image-o1", "kling-o3-image", "kling-v3-omni", "kling-o3-image-edit", "kling-v3-omni"),
            DashScopeUpstream.NAME, Map.of("wan-2.7-image", "wan2.7-image", "wan-2.7-image-pro", "wan2.7-image-pro", "z-image", "z-image-turbo"));

    private Upstreams() {
    }

    /** Registers every configured vendor and its default routes, then applies {@code PICTOR_ROUTES}. */
    public static void configure(Settings.Upstreams settings, UpstreamRegistry registry, SafeFetcher downloads, java.time.Clock clock) {
        Map<String, Map<String, String>> enabled = new LinkedHashMap<>();
        if (settings.openai().configured()) {
            registry.register(new OpenAiUpstream(settings.openai().apiKey(), settings.openai().baseUrl(),
                    new UpstreamHttp("openai", settings.callTimeout(), downloads), settings.concurrency()));
            enabled.put(OpenAiUpstream.NAME, DEFAULT_MODELS.get(OpenAiUpstream.NAME));
        }
        if (settings.bfl().configured()) {
            registry.register(new BflUpstream(settings.bfl().apiKey(), settings.bfl().baseUrl(),
                    new UpstreamHttp("bfl", settings.callTimeout(), downloads), settings.pollInterval(), settings.concurrency()));
            enabled.put(BflUpstream.NAME, DEFAULT_MODELS.get(BflUpstream.NAME));
        }
        if (settings.gemini().configured()) {
            registry.register(new GeminiUpstream(settings.gemini().apiKey(), settings.gemini().baseUrl(),
                    new UpstreamHttp("gemini", settings.callTimeout(), downloads), settings.concurrency()));
            enabled.put(GeminiUpstream.NAME, DEFAULT_MODELS.get(GeminiUpstream.NAME));
        }
        if (settings.ark().configured()) {
            registry.register(new ArkUpstream(settings.ark().apiKey(), settings.ark().baseUrl(),
                    new UpstreamHttp("ark", settings.callTimeout(), downloads), settings.concurrency()));
            enabled.put(ArkUpstream.NAME, DEFAULT_MODELS.get(ArkUpstream.NAME));
        }
        if (settings.kling().configured()) {
            registry.register(new KlingUpstream(settings.kling().apiKey(), settings.kling().secret(), settings.kling().baseUrl(),
                    new UpstreamHttp("kling", settings.callTimeout(), downloads), settings.pollInterval(), settings.concurrency(), clock));
            enabled.put(KlingUpstream.NAME, DEFAULT_MODELS.get(KlingUpstream.NAME));
        }
        if (settings.dashscope().configured()) {
            registry.register(new DashScopeUpstream(settings.dashscope().apiKey(), settings.dashscope().baseUrl(),
                    new UpstreamHttp("dashscope", settings.callTimeout(), downloads), settings.pollInterval(), settings.concurrency()));
            enabled.put(DashScopeUpstream.NAME, DEFAULT_MODELS.get(DashScopeUpstream.NAME));
        }
        Map<String, String> overrides = parseRoutes(settings.routes());
        enabled.forEach((provider, models) -> models.forEach((model, upstream) -> {
            if (!overrides.containsKey(model)) {
                registry.addRoute(model, new UpstreamRegistry.Route(provider, upstream));
            }
        }));
        enabled.keySet().forEach(p -> log.info("upstream {} enabled for {}", p, String.join(", ", enabled.get(p).keySet().stream().sorted().toList())));

        routesFromOverrides(overrides, registry, enabled);
    }

    /** {@code model=provider[:upstream],provider;...} into model to its raw route list. */
    private static Map<String, String> parseRoutes(String text) {
        Map<String, String> routes = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return routes;
        }
        for (String entry : text.split(";")) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("PICTOR_ROUTES: '" + entry.trim() + "' is not model=provider[:upstream-model],...");
            }
            routes.put(parts[0].trim(), parts[1].trim());
        }
        return routes;
    }

    /** The routes PICTOR_ROUTES names, in its order; any registered provider may appear, the sandbox included. */
    private static void routesFromOverrides(Map<String, String> overrides, UpstreamRegistry registry, Map<String, Map<String, String>> enabled) {
        overrides.forEach((model, list) -> {
            for (String item : list.split(",")) {
                String[] p = item.trim().split(":", 2);
                String provider = p[0].trim();
                if (registry.provider(provider).isEmpty()) {
                    throw new IllegalArgumentException("PICTOR_ROUTES names provider '" + provider + "' for " + model + ", which is not configured");
                }
                String upstream = p.length > 1 ? p[1].trim() : enabled.getOrDefault(provider, Map.of()).get(model);
                registry.addRoute(model, new UpstreamRegistry.Route(provider, upstream));
            }
        });
    }
}
