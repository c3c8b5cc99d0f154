package dev.pictor.upstream;

import dev.pictor.catalog.ModelCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What every upstream adapter is built with besides its own settings: its HTTP client (timeouts,
 * error mapping, result downloads), how often to poll an asynchronous job, how many calls it may
 * run at once on this node, the clock, the catalog, and the {@code PICTOR_ROUTES} entries that name
 * it (an adapter whose upstream model ids are files, such as ComfyUI's workflows, checks them at
 * start-up instead of on the first task).
 *
 * @param routes catalog model id to the upstream model ids {@code PICTOR_ROUTES} gives this upstream
 *               for it, in order; an empty string where an entry names the upstream without an id
 */
public record UpstreamContext(UpstreamHttp http, Duration pollInterval, int concurrency, Clock clock, ModelCatalog catalog,
                              Map<String, List<String>> routes) {
    public UpstreamContext {
        routes = Map.copyOf(routes);
    }
}
