package dev.pictor.task;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.InvalidInputException;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.SafeFetcher;
import dev.pictor.media.SourceImage;
import dev.pictor.metrics.Metrics;
import dev.pictor.net.FetchException;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.StoredFile;
import dev.pictor.upstream.CircuitBreaker;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamRegistry;
import dev.pictor.upstream.UpstreamUsage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed task to its next stop: finished, failed, waiting for an upstream job, or queued
 * again for a retry or another route ({@link RetryPolicy} decides which). The generation itself runs
 * on its own virtual thread, bounded by the task's deadline, so it can be interrupted when the task
 * ends elsewhere (cancel, another node's sweeper) or the node shuts down.
 */
final class TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    private static final Duration STORE_FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration STORE_MAX_PAUSE = Duration.ofSeconds(5);
    /** Time kept back before the deadline to record a storage failure before the sweeper records a timeout. */
    private static final Duration STORE_GIVE_UP_MARGIN = Duration.ofMillis(500);

    private final TaskStore store;
    private final ModelCatalog catalog;
    private final UpstreamRegistry upstreams;
    private final SafeFetcher fetcher;
    private final DecodeBudget decodes;
    private final BlobStore blobs;
    private final OwnFiles ownFiles;
    private final Metrics metrics;
    private final Clock clock;
    private final RetryPolicy policy;
    /** Side work that must not run on a generation thread (those get interrupted): progress writes. */
    private final Executor background;
    /** Told when a task this runner put back in the queue comes due, so a claim round can start then. */
    private final Consumer<Instant> dueAt;

    private final ExecutorService generations = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Future<?>> generationsByTask = new ConcurrentHashMap<>();
    private final AtomicBoolean abandoning = new AtomicBoolean();

    TaskRunner(TaskStore store, ModelCatalog catalog, UpstreamRegistry upstreams, SafeFetcher fetcher, DecodeBudget decodes,
               BlobStore blobs, OwnFiles ownFiles, Metrics metrics, Clock clock, RetryPolicy policy, Executor background,
               Consumer<Instant> dueAt) {
        this.store = store;
        this.catalog = catalog;
        this.upstreams = upstreams;
        this.fetcher = fetcher;
        this.decodes = decodes;
        this.blobs = blobs;
        this.ownFiles = ownFiles;
        this.metrics = metrics;
        this.clock = clock;
        this.policy = policy;
        this.background = background;
        this.dueAt = dueAt;
    }

    /** Interrupts the generation of {@code taskId} if it runs here (after a cancel or a timeout). */
    void stopGenerating(String taskId) {
        Future<?> generation = generationsByTask.get(taskId);
        if (generation != null) {
            generation.cancel(true);
        }
    }

    /**
     * From now on no outcome is recorded: the node is shutting down and hands its claims back to the
     * queue, so what a run still comes to must not overwrite that.
     */
    void abandon() {
        abandoning.set(true);
    }

    /** Interrupts every generation; after {@link #abandon}, once the claims are handed back. */
    void stopAll() {
        generations.shutdownNow();
    }

    void run(Claim claim) {
        Task task = claim.task();
        Instant started = clock.instant();
        if (claim.attempt() == 1) {
            metrics.queueWait(task.model(), Duration.between(task.createdAt(), started));
        }
        if (policy.abandoned(claim.attempt())) {
            end(claim, ErrorCode.INTERNAL_ERROR, "the task was abandoned by " + (claim.attempt() - 1)
                    + " workers (crashes or shutdowns) and is not retried again");
            return;
        }
        Duration remaining = Duration.between(started, task.deadlineAt());
        if (remaining.isNegative() || remaining.isZero()) {
            end(claim, ErrorCode.TIMEOUT, "the task did not finish before its deadline");
            return;
        }
        Upstream upstream = upstreams.find(task.upstream()).orElse(null);
        if (upstream == null) {
            end(claim, ErrorCode.INTERNAL_ERROR, "upstream " + task.upstream() + " is not available on this server");
            return;
        }
        CircuitBreaker breaker = upstreams.breaker(upstream.name());
        if (!breaker.allowsCall()) {
            handleFailure(claim, upstream, null, new UpstreamException(ErrorCode.UPSTREAM_ERROR, upstream.name()
                    + " is paused after repeated failures (circuit open)", true, Duration.between(started, breaker.openUntil())), null);
            return;
        }
        GenerationRequest request;
        try {
            request = storedRequest(task);
        } catch (UpstreamException e) {
            handleFailure(claim, upstream, null, e, null);
            return;
        }
        Future<Step> generation = generations.submit(() -> generate(task, upstream, request));
        generationsByTask.put(task.id(), generation);
        try {
            Step step = generation.get(remaining.toMillis(), TimeUnit.MILLISECONDS);
            breaker.recordSuccess();
            upstreams.health(upstream.name()).record(true, Duration.between(started, clock.instant()));
            switch (step) {
                case Step.Waiting waiting -> {
                    Instant nextPoll = clock.instant().plus(waiting.pollAfter());
                    if (store.awaitUpstream(claim, waiting.upstreamRef(), waiting.progress(), nextPoll)) {
                        dueAt.accept(nextPoll);
                    }
                }
                case Step.Finished finished -> recordFinished(claim, upstream, finished, started);
            }
        } catch (TimeoutException e) {
            // Read before the cancel ends the wait: a task that waited for decode memory says so.
            Long waitedFor = decodes.waitingFor(task.id());
            if (!generation.cancel(true) && generation.state() == Future.State.FAILED) {
                handleFailure(claim, upstream, request, generation.exceptionNow(), Duration.between(started, clock.instant())); // it failed just in time
            } else {
                end(claim, ErrorCode.TIMEOUT, waitedFor == null ? "the task did not finish before its deadline"
                        : "the task did not finish before its deadline: it waited for " + (waitedFor + 500_000) / 1_000_000
                        + " megapixels of decode memory, and other tasks held this node's budget (PICTOR_DECODE_MEGAPIXELS)");
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StorageFailure failure) {
                // The upstream did its part (and the breaker heard so); only the blob store failed.
                end(claim, ErrorCode.STORAGE_ERROR, failure.getMessage());
            } else {
                handleFailure(claim, upstream, request, e.getCause(), Duration.between(started, clock.instant()));
            }
        } catch (CancellationException e) {
            // Stopped because the task ended elsewhere (cancel, timeout): nothing left to record.
        } catch (InterruptedException e) {
            generation.cancel(true);
            Thread.currentThread().interrupt();
            // Shutting down: the claim was (or will be) released for another worker.
        } finally {
            generationsByTask.remove(task.id());
        }
    }

    private void recordFinished(Claim claim, Upstream upstream, Step.Finished step, Instant started) {
        Task task = claim.task();
        List<StoredFile> files = step.files();
        metrics.run(task.model(), upstream.name(), Duration.between(started, clock.instant()));
        Instant finished = clock.instant();
        if (store.finish(claim, upstream.name(), step.route(), step.usage(), files, step.outputs(), finished)) {
            metrics.taskCompleted(task.model(), upstream.name(), TaskStatus.FINISHED.wire(), null);
            metrics.endToEnd(task.model(), TaskStatus.FINISHED.wire(), Duration.between(task.createdAt(), finished));
        } else {
            // Lost the lease or the task ended meanwhile (deadline, cancel): our files are orphans, unless
            // another run of the same task (it got our expired lease) finished under the same keys.
            Set<String> kept = store.findAnyTenant(task.id()).map(t -> t.files().stream().map(StoredFile::key)
                    .collect(java.util.stream.Collectors.toSet())).orElse(Set.of());
            deleteQuietly(files.stream().filter(f -> !kept.contains(f.key())).toList());
        }
    }

    /** What one run of a task came to: its stored files, or an upstream job still running. */
    private sealed interface Step {
        /**
         * {@code outputs}: the files' bytes by key, for this node's waiters. {@code route}:
         * "upstream:upstream-model" (the upstream alone without a model id), the key of upstream costs.
         */
        record Finished(List<StoredFile> files, Map<String, byte[]> outputs, String route, UpstreamUsage usage) implements Step {
        }

        record Waiting(String upstreamRef, int progress, Duration pollAfter) implements Step {
        }
    }

    /**
     * The task's request, rebuilt from its stored input: validated at submit, so only the model's own
     * rules are checked again ({@link ModelSpec#restore} says why), and a model no longer served fails.
     */
    private GenerationRequest storedRequest(Task task) throws UpstreamException {
        ModelSpec spec = catalog.find(task.model())
                .orElseThrow(() -> new UpstreamException(ErrorCode.INVALID_INPUT, "model " + task.model() + " is no longer served", false));
        try {
            return spec.restore(Json.parse(task.inputJson()));
        } catch (InvalidInputException e) {
            throw new UpstreamException(ErrorCode.INVALID_INPUT, e.getMessage(), false);
        }
    }

    private Step generate(Task task, Upstream upstream, GenerationRequest request) throws Exception {
        var progress = new ProgressReporter(store, background, task.id());
        String upstreamModel = routeOf(task).upstreamModel();
        Upstream.Outcome outcome;
        if (task.upstreamRef() == null) {
            List<SourceImage> sources = fetchSources(task, request.imageUrls());
            outcome = upstream.start(new GenerationJob(task.id(), request, upstreamModel, sources, progress, task.deadlineAt(), decodes));
        } else {
            outcome = upstream.poll(new GenerationJob(task.id(), request, upstreamModel, List.of(), progress, task.deadlineAt(), decodes),
                    task.upstreamRef());
        }
        return switch (outcome) {
            case Upstream.Outcome.Pending pending -> new Step.Waiting(pending.upstreamRef(), pending.progress(), pending.pollAfter());
            case Upstream.Outcome.Done done -> {
                // The upstream's work is done and paid for: from here a failure is the blob store's, which
                // is retried on its own (never the upstream call again) and never opens the circuit.
                upstreams.breaker(upstream.name()).recordSuccess();
                List<StoredFile> files = storeImages(task, upstream, done.images());
                Map<String, byte[]> outputs = new HashMap<>();
                for (int i = 0; i < files.size(); i++) {
                    outputs.put(files.get(i).key(), done.images().get(i).bytes());
                }
                yield new Step.Finished(files, outputs, upstreamModel == null ? upstream.name() : upstream.name() + ":" + upstreamModel,
                        done.usage());
            }
        };
    }

    /** The blob store refused the outputs until too close to the task's deadline to try again. */
    private static final class StorageFailure extends Exception {
        StorageFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Writes the images, retrying each write that fails with a growing pause: a bucket that is briefly
     * unreachable costs a delay, not a second generation. Gives up while there is still time to record
     * why ({@link #STORE_GIVE_UP_MARGIN} before the deadline), so the task fails with
     * {@code storage_error} instead of being left to the sweeper's {@code timeout}.
     */
    private List<StoredFile> storeImages(Task task, Upstream upstream, List<GeneratedImage> images)
            throws StorageFailure, InterruptedException {
        List<StoredFile> files = new ArrayList<>(images.size());
        int failures = 0;
        Duration pause = STORE_FIRST_PAUSE;
        try {
            for (int i = 0; i < images.size(); i++) {
                GeneratedImage image = images.get(i);
                String ext = image.contentType().substring("image/".length());
                String key = task.id() + "/" + i + "." + ext;
                while (true) {
                    try {
                        blobs.put(key, image.bytes(), image.contentType());
                        break;
                    } catch (IOException e) {
                        failures++;
                        log.warn("task {}: storing output {} failed ({} so far): {}", task.id(), i, failures, e.getMessage());
                        if (clock.instant().plus(pause).plus(STORE_GIVE_UP_MARGIN).isAfter(task.deadlineAt())) {
                            throw new StorageFailure("the images were generated but could not be stored before the task's deadline ("
                                    + failures + " failed writes to the blob store)");
                        }
                        Thread.sleep(pause);
                        pause = pause.multipliedBy(2).compareTo(STORE_MAX_PAUSE) > 0 ? STORE_MAX_PAUSE : pause.multipliedBy(2);
                    }
                }
                files.add(new StoredFile(key, image.contentType(), image.width(), image.height(), image.bytes().length, upstream.name()));
            }
        } catch (StorageFailure | InterruptedException e) {
            deleteQuietly(files);
            throw e;
        }
        return files;
    }

    private UpstreamRegistry.Route routeOf(Task task) {
        List<UpstreamRegistry.Route> routes = upstreams.routes(task.model());
        return task.routeIndex() < routes.size() && routes.get(task.routeIndex()).upstream().equals(task.upstream())
                ? routes.get(task.routeIndex())
                : new UpstreamRegistry.Route(task.upstream(), null);
    }

    private List<SourceImage> fetchSources(Task task, List<String> urls) throws UpstreamException {
        List<SourceImage> sources = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            try {
                if (Uploads.isUploadReference(url)) {
                    sources.add(readUpload(task.id(), url));
                } else {
                    var ownKey = ownFiles.outputKey(url);
                    sources.add(ownKey.isPresent() ? ownFiles.read(task.tenantId(), ownKey.get()) : fetcher.fetchImage(url));
                }
            } catch (FetchException e) {
                throw new UpstreamException(ErrorCode.SOURCE_FETCH_FAILED, "image_urls[" + i + "] could not be fetched: " + e.getMessage(), false);
            }
        }
        return sources;
    }

    /** An image uploaded with this task's request, read from the BlobStore instead of the network. */
    private SourceImage readUpload(String taskId, String url) throws FetchException {
        String key = Uploads.keyFor(taskId, url);
        if (key == null) {
            throw new FetchException("it refers to an upload that does not belong to this task");
        }
        return OwnFiles.readBlob(blobs, key, "the uploaded image is no longer stored");
    }

    /**
     * A failed run: the circuit breaker, the health window and the metrics learn of it, then
     * {@link RetryPolicy} decides what follows. {@code latency} is null when no call was made.
     */
    private void handleFailure(Claim claim, Upstream upstream, GenerationRequest request, Throwable cause, Duration latency) {
        if (abandoning.get()) {
            return;
        }
        if (cause instanceof OutOfMemoryError) {
            // Painting, scaling or encoding ran out of heap: the node's capacity, named as such and retried.
            cause = new UpstreamException(ErrorCode.INTERNAL_ERROR, "this node ran out of memory while generating the image"
                    + " (lower PICTOR_DECODE_MEGAPIXELS or give the JVM more heap)", true);
        }
        if (!(cause instanceof UpstreamException failure)) {
            // Not the client's fault and not worth echoing: log the detail (no prompt in it), answer generically.
            log.error("task {} failed unexpectedly", claim.taskId(), cause);
            metrics.upstreamError(upstream.name(), ErrorCode.INTERNAL_ERROR.wire());
            end(claim, ErrorCode.INTERNAL_ERROR, "internal error while generating the image");
            return;
        }
        metrics.upstreamError(upstream.name(), failure.code().wire());
        CircuitBreaker breaker = upstreams.breaker(upstream.name());
        if (failure.retryable()) {
            breaker.recordFailure();
        } else {
            breaker.recordSuccess(); // the route works; the request is what failed
        }
        if (latency != null) {
            upstreams.health(upstream.name()).record(!failure.retryable(), latency);
        }
        Task task = claim.task();
        String prompt = request == null ? null : request.prompt();
        var decision = policy.decide(claim.attempt(), failure, upstreams.routes(task.model()), task.routeIndex(), task.upstreamRef() != null);
        switch (decision) {
            case RetryPolicy.Decision.Fail fail -> end(claim, fail.code(), Redaction.redact(fail.message(), prompt, 1_000));
            case RetryPolicy.Decision.SwitchRoute next -> {
                Instant now = clock.instant();
                if (store.switchRoute(claim, next.upstream(), next.routeIndex(), now, logEntry(upstream, claim.attempt(), failure, prompt, now))) {
                    dueAt.accept(now);
                }
            }
            case RetryPolicy.Decision.RetryAt retry -> {
                if (store.retryLater(claim, retry.due(), logEntry(upstream, claim.attempt(), failure, prompt, clock.instant()))) {
                    dueAt.accept(retry.due());
                }
            }
        }
    }

    /** One line of the task's route log: where, which attempt, what failed. Never the prompt or a key. */
    private static RouteLogEntry logEntry(Upstream upstream, int attempt, UpstreamException failure, String prompt, Instant now) {
        return new RouteLogEntry(now.truncatedTo(ChronoUnit.SECONDS), upstream.name(), attempt, failure.code(),
                Redaction.redact(failure.getMessage(), prompt));
    }

    private void end(Claim claim, ErrorCode code, String message) {
        if (abandoning.get()) {
            return;
        }
        Instant now = clock.instant();
        if (store.fail(claim, code, message, now)) {
            metrics.taskCompleted(claim.task().model(), claim.task().upstream(), TaskStatus.FAILED.wire(), code.wire());
            metrics.endToEnd(claim.task().model(), TaskStatus.FAILED.wire(), Duration.between(claim.task().createdAt(), now));
        }
    }

    private void deleteQuietly(List<StoredFile> files) {
        for (StoredFile f : files) {
            try {
                blobs.delete(f.key());
            } catch (IOException | RuntimeException e) {
                log.warn("could not delete orphaned output {}", f.key(), e);
            }
        }
    }
}
