package dev.pictor.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which provider serves which model. Today a model is served by the sandbox while sandbox mode is on
 * (no upstream adapters are configured yet); a model without a route cannot be submitted.
 */
public final class ProviderRegistry {
    private final Map<String, ImageProvider> byName = new LinkedHashMap<>();
    private final Map<String, String> routeByModel = new LinkedHashMap<>();

    public void register(ImageProvider provider) {
        byName.put(provider.name(), provider);
    }

    public void route(String model, String providerName) {
        if (!byName.containsKey(providerName)) {
            throw new IllegalArgumentException("unknown provider " + providerName);
        }
        routeByModel.put(model, providerName);
    }

    /** The provider name a new task of {@code model} is queued for. */
    public Optional<String> routeFor(String model) {
        return Optional.ofNullable(routeByModel.get(model));
    }

    public Optional<ImageProvider> provider(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<ImageProvider> providers() {
        return List.copyOf(byName.values());
    }
}
