package dev.pictor.upstream;

import java.time.Duration;
import java.util.Map;

/**
 * How Pictor calls upstreams: the environment each {@link UpstreamDefinition} reads its own settings
 * from, the {@code PICTOR_ROUTES} overrides, and what applies to every upstream (call timeout, poll
 * interval of asynchronous jobs, calls at once per upstream per node, the most bytes read from one
 * upstream answer).
 */
public record UpstreamSettings(Map<String, String> environment, String routes, Duration callTimeout, Duration pollInterval,
                               int concurrency, long maxBytes) {
    public UpstreamSettings {
        environment = Map.copyOf(environment);
    }
}
