package dev.pictor.upstream;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which providers exist and which serve each model: an ordered list of routes per model (provider and
 * the upstream's own model id). A task starts on the first route and falls back along the list on
 * retryable failures. Each provider has its own circuit breaker.
 */
public final class UpstreamRegistry {
    /** One way to serve a model: an upstream and that upstream's own id for the model (null for the sandbox). */
    public record Route(String upstream, String upstreamModel) {
    }

    private final Map<String, Upstream> byName = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final Map<String, UpstreamHealth> health = new LinkedHashMap<>();
    private final Map<String, List<Route>> routesByModel = new LinkedHashMap<>();
    private final Clock clock;

    public UpstreamRegistry(Clock clock) {
        this.clock = clock;
    }

    public void register(Upstream upstream) {
        byName.put(upstream.name(), upstream);
        breakers.put(upstream.name(), new CircuitBreaker(5, Duration.ofSeconds(30), clock));
        health.put(upstream.name(), new UpstreamHealth(clock));
    }

    /** Adds a route at the end of the model's list. */
    public void addRoute(String model, Route route) {
        if (!byName.containsKey(route.upstream())) {
            throw new IllegalArgumentException("unknown upstream " + route.upstream());
        }
        routesByModel.computeIfAbsent(model, k -> new ArrayList<>()).add(route);
    }

    public boolean hasRoutes(String model) {
        return routesByModel.containsKey(model);
    }

    public List<Route> routes(String model) {
        return routesByModel.getOrDefault(model, List.of());
    }

    /** The upstream a new task of {@code model} is queued for: its first route's. */
    public Optional<String> routeFor(String model) {
        return routes(model).stream().findFirst().map(Route::upstream);
    }

    public Optional<Upstream> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public CircuitBreaker breaker(String upstream) {
        return breakers.get(upstream);
    }

    /** This node's recent calls to {@code upstream}. */
    public UpstreamHealth health(String upstream) {
        return health.get(upstream);
    }

    public List<Upstream> all() {
        return List.copyOf(byName.values());
    }
}
