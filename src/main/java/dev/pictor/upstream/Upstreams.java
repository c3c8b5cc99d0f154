package dev.pictor.upstream;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.media.SafeFetcher;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the upstreams the operator configured, from their definitions, and their routes. With an
 * upstream's required settings present (its key, or a local engine's URL), the models it serves route
 * to it by default; {@code PICTOR_ROUTES} can reorder routes or add fallbacks, e.g.
 * {@code gpt-image-2=openai,sandbox;flux-2-pro=bfl:flux-2-pro}.
 */
public final class Upstreams {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

    private Upstreams() {
    }

    /** Registers every configured upstream of {@code definitions} and its default routes, then applies {@code PICTOR_ROUTES}. */
    public static void configure(UpstreamSettings settings, List<UpstreamDefinition> definitions, UpstreamRegistry registry,
                                 SafeFetcher downloads, Clock clock, ModelCatalog catalog) {
        Map<String, Map<String, String>> enabled = new LinkedHashMap<>();
        Map<String, String> overrides = parseRoutes(settings.routes());
        for (UpstreamDefinition definition : definitions) {
            if (!definition.configured(settings.environment())) {
                continue;
            }
            var http = new UpstreamHttp(definition.name(), settings.callTimeout(), settings.maxBytes(), downloads, clock);
            var context = new UpstreamContext(http, settings.pollInterval(), settings.concurrency(), clock, catalog,
                    routesNaming(overrides, definition.name()));
            Upstream upstream = definition.factory().create(definition.config(settings.environment()), context);
            registry.register(upstream);
            enabled.put(definition.name(), upstream.servedModels().orElse(definition.models()));
        }
        enabled.forEach((upstream, models) -> models.forEach((model, upstreamModel) -> {
            if (!overrides.containsKey(model)) {
                registry.addRoute(model, new UpstreamRegistry.Route(upstream, upstreamModel));
            }
        }));
        enabled.forEach((u, models) -> log.info("upstream {} enabled for {}", u, String.join(", ", models.keySet().stream().sorted().toList())));
        routesFromOverrides(overrides, registry, enabled);
    }

    /** {@code model=upstream[:upstream-model],upstream;...} into model to its raw route list. */
    private static Map<String, String> parseRoutes(String text) {
        Map<String, String> routes = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return routes;
        }
        for (String entry : text.split(";")) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("PICTOR_ROUTES: '" + entry.trim() + "' is not model=upstream[:upstream-model],...");
            }
            routes.put(parts[0].trim(), parts[1].trim());
        }
        return routes;
    }

    /** Model to the upstream model ids the {@code PICTOR_ROUTES} entries give {@code upstream} ("" for none). */
    private static Map<String, List<String>> routesNaming(Map<String, String> overrides, String upstream) {
        Map<String, List<String>> named = new LinkedHashMap<>();
        overrides.forEach((model, list) -> {
            for (String item : list.split(",")) {
                String[] p = item.trim().split(":", 2);
                if (p[0].trim().equals(upstream)) {
                    named.computeIfAbsent(model, k -> new ArrayList<>()).add(p.length > 1 ? p[1].trim() : "");
                }
            }
        });
        return named;
    }

    /** The routes PICTOR_ROUTES names, in its order; any registered upstream may appear, the sandbox included. */
    private static void routesFromOverrides(Map<String, String> overrides, UpstreamRegistry registry, Map<String, Map<String, String>> enabled) {
        overrides.forEach((model, list) -> {
            for (String item : list.split(",")) {
                String[] p = item.trim().split(":", 2);
                String upstream = p[0].trim();
                if (registry.find(upstream).isEmpty()) {
                    throw new IllegalArgumentException("PICTOR_ROUTES names upstream '" + upstream + "' for " + model + ", which is not configured");
                }
                String upstreamModel = p.length > 1 ? p[1].trim() : enabled.getOrDefault(upstream, Map.of()).get(model);
                registry.addRoute(model, new UpstreamRegistry.Route(upstream, upstreamModel));
            }
        });
    }
}
