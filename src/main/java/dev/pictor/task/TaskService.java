package dev.pictor.task;

import dev.pictor.Json;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.InvalidInputException;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.metrics.Metrics;
import dev.pictor.provider.ProviderRegistry;
import dev.pictor.webhook.CallbackUrls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Submitting and reading tasks: validate against the catalog, pick the route, store task and queue
 * row in one transaction, wake the dispatcher. Nothing is stored for a request that fails validation.
 */
public final class TaskService {
    private final TaskStore store;
    private final ModelCatalog catalog;
    private final ProviderRegistry providers;
    private final CallbackUrls callbackUrls;
    private final Dispatcher dispatcher;
    private final Metrics metrics;
    private final Clock clock;
    private final Duration deadline;
    private final int maxPromptChars;
    private final TaskIds ids = new TaskIds();

    public TaskService(TaskStore store, ModelCatalog catalog, ProviderRegistry providers, CallbackUrls callbackUrls, Dispatcher dispatcher,
                       Metrics metrics, Clock clock, Duration deadline, int maxPromptChars) {
        this.store = store;
        this.catalog = catalog;
        this.providers = providers;
        this.callbackUrls = callbackUrls;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.clock = clock;
        this.deadline = deadline;
        this.maxPromptChars = maxPromptChars;
    }

    /** Thrown when the model is valid but this server has no engine for it. */
    public static final class NoRouteException extends RuntimeException {
        public NoRouteException(String model) {
            super("no provider is configured for " + model + " on this server (sandbox mode is off)");
        }
    }

    public Task submit(String tenantId, String model, JsonNode input, String callbackUrl) {
        ModelSpec spec = catalog.find(model).orElseThrow(() ->
                new InvalidInputException("model", "model '" + clip(model) + "' is not supported; GET /api/models lists the models"));
        GenerationRequest request = spec.validate(input, maxPromptChars);
        String callback = callbackUrl == null ? null : callbackUrls.check(callbackUrl);
        String provider = providers.routeFor(model).orElseThrow(() -> new NoRouteException(model));
        Instant now = clock.instant();
        Task task = store.insert(new NewTask(ids.next(now), tenantId, model, Json.write(request.input()), callback, provider,
                now, now.plus(deadline)));
        metrics.taskSubmitted(model);
        dispatcher.wake();
        return task;
    }

    public Optional<Task> find(String tenantId, String taskId) {
        return TaskIds.looksValid(taskId) ? store.find(tenantId, taskId) : Optional.empty();
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
