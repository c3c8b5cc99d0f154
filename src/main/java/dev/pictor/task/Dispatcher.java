package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import dev.pictor.common.BackgroundLoop;
import dev.pictor.common.Json;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.InvalidInputException;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.net.FetchException;
import dev.pictor.media.SafeFetcher;
import dev.pictor.media.SourceImage;
import dev.pictor.metrics.Metrics;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.CircuitBreaker;
import dev.pictor.upstream.UpstreamRegistry;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.StoredFile;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due tasks from the queue and runs them, one virtual thread per task.
 *
 * <ul>
 *   <li>Claims only as much as there is room for: per provider ({@link Upstream#concurrency()})
 *       and per node ({@code maxInFlight}), so a busy provider never holds tasks another node could run.</li>
 *   <li>{@link #wake()} (called on submit and when a task ends) starts a claim round at once; a
 *       polling tick covers work that became due by time or was submitted on another node.</li>
 *   <li>A heartbeat extends the leases of everything in flight in one statement. If this process dies,
 *       the leases run out and another node (or this one after restart) claims the tasks again.</li>
 *   <li>Each run is bounded by the task's deadline: the generation is interrupted and the task fails
 *       with {@code timeout}.</li>
 * </ul>
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_CLAIM_BATCH = 32;

    private final TaskStore store;
    private final ModelCatalog catalog;
    private final UpstreamRegistry providers;
    private final SafeFetcher fetcher;
    private final BlobStore blobs;
    private final Metrics metrics;
    private final Clock clock;
    private final String nodeId;
    private final Duration lease;
    private final int maxAttempts;

    private final Semaphore nodeSlots;
    private final Map<String, Semaphore> providerSlots = new ConcurrentHashMap<>();
    private final Map<String, Claim> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Future<?>> generationsByTask = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService generations = Executors.newVirtualThreadPerTaskExecutor();
    /** Side work that must not run on a generation thread (those get interrupted): progress writes, upstream cancels. */
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean abandoning = new AtomicBoolean();
    private final BackgroundLoop claimLoop;
    private final BackgroundLoop heartbeat;

    public Dispatcher(TaskStore store, ModelCatalog catalog, UpstreamRegistry providers, SafeFetcher fetcher, BlobStore blobs,
                      Metrics metrics, Clock clock, String nodeId, int maxInFlight, Duration lease, Duration pollInterval,
                      int maxAttempts) {
        this.store = store;
        this.catalog = catalog;
        this.providers = providers;
        this.fetcher = fetcher;
        this.blobs = blobs;
        this.metrics = metrics;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lease = lease;
        this.maxAttempts = maxAttempts;
        this.nodeSlots = new Semaphore(maxInFlight);
        providers.providers().forEach(p -> providerSlots.put(p.name(), new Semaphore(p.concurrency())));
        this.claimLoop = new BackgroundLoop("pictor-dispatcher", pollInterval, () -> claimRound() > 0);
        this.heartbeat = new BackgroundLoop("pictor-heartbeat", Duration.ofMillis(Math.max(100, lease.toMillis() / 3)),
                this::renewLeases);
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            claimLoop.start();
            heartbeat.start();
        }
    }

    /** Starts a claim round now instead of at the next tick. */
    public void wake() {
        claimLoop.wake();
    }

    /**
     * Claims, per provider, no more tasks than it has free slots (and the node has room for): a claimed
     * task starts at once, so "running" means running, queued tasks keep their queue position, and
     * other nodes can take what this one cannot run yet. Only this loop takes slots, so the counts it
     * reads cannot shrink before it takes them.
     */
    private int claimRound() {
        int claimed = 0;
        Instant now = clock.instant();
        for (var entry : providerSlots.entrySet()) {
            Semaphore slots = entry.getValue();
            int room = Math.min(Math.min(nodeSlots.availablePermits(), slots.availablePermits()), MAX_CLAIM_BATCH);
            if (room <= 0) {
                continue;
            }
            for (Claim claim : store.claim(nodeId, List.of(entry.getKey()), room, now, lease)) {
                slots.acquireUninterruptibly();
                nodeSlots.acquireUninterruptibly();
                inFlight.put(claim.taskId(), claim);
                claimed++;
                workers.execute(() -> {
                    try {
                        execute(claim);
                    } catch (RuntimeException e) {
                        log.error("task {}: recording its outcome failed; it is retried when its lease runs out", claim.taskId(), e);
                    } finally {
                        slots.release();
                        inFlight.remove(claim.taskId());
                        nodeSlots.release();
                        wake();
                    }
                });
            }
        }
        return claimed;
    }

    /** One heartbeat; always waits for the next period, as renewing sooner gains nothing. */
    private boolean renewLeases() {
        if (!inFlight.isEmpty()) {
            store.renewLeases(nodeId, clock.instant().plus(lease));
            stopLostTasks();
        }
        return false;
    }

    /**
     * A task this node runs whose queue row it no longer holds has ended elsewhere (cancelled, timed
     * out by another node's sweeper) or was taken over: stop generating for it.
     */
    private void stopLostTasks() {
        var held = store.heldBy(nodeId);
        for (String taskId : inFlight.keySet()) {
            if (!held.contains(taskId)) {
                stopGenerating(taskId);
            }
        }
    }

    /** Interrupts the generation of {@code taskId} if it runs on this node (after a cancel or a timeout). */
    public void stopGenerating(String taskId) {
        Future<?> generation = generationsByTask.get(taskId);
        if (generation != null) {
            generation.cancel(true);
        }
    }

    /** Asks the task's upstream to stop its job, if it has one running (best effort, in the background). */
    public void cancelUpstream(Task task) {
        if (task.upstreamRef() == null) {
            return;
        }
        providers.provider(task.provider()).ifPresent(p -> background.execute(() -> p.cancel(task.upstreamRef())));
    }

    private void execute(Claim claim) {
        Task task = claim.task();
        Instant started = clock.instant();
        if (claim.attempt() == 1) {
            metrics.queueWait(task.model(), Duration.between(task.createdAt(), started));
        }
        if (claim.attempt() > maxAttempts) {
            end(claim, ErrorCode.INTERNAL_ERROR, "the task was abandoned by " + (claim.attempt() - 1)
                    + " workers (crashes or shutdowns) and is not retried again");
            return;
        }
        Duration remaining = Duration.between(started, task.deadlineAt());
        if (remaining.isNegative() || remaining.isZero()) {
            end(claim, ErrorCode.TIMEOUT, "the task did not finish before its deadline");
            return;
        }
        Upstream provider = providers.provider(task.provider()).orElse(null);
        if (provider == null) {
            end(claim, ErrorCode.INTERNAL_ERROR, "provider " + task.provider() + " is not available on this server");
            return;
        }
        CircuitBreaker breaker = providers.breaker(provider.name());
        if (!breaker.allowsCall()) {
            handleFailure(claim, provider, new UpstreamException(ErrorCode.UPSTREAM_ERROR, provider.name()
                    + " is paused after repeated failures (circuit open)", true, Duration.between(started, breaker.openUntil())));
            return;
        }
        Future<Step> generation = generations.submit(() -> generate(task, provider));
        generationsByTask.put(task.id(), generation);
        try {
            Step step = generation.get(remaining.toMillis(), TimeUnit.MILLISECONDS);
            breaker.recordSuccess();
            if (step instanceof Step.Waiting waiting) {
                store.awaitUpstream(claim, waiting.upstreamRef(), waiting.progress(), clock.instant().plus(waiting.pollAfter()));
                return;
            }
            List<StoredFile> files = ((Step.Finished) step).files();
            metrics.run(task.model(), provider.name(), Duration.between(started, clock.instant()));
            Instant finished = clock.instant();
            if (store.finish(claim, provider.name(), files, finished)) {
                metrics.taskCompleted(task.model(), provider.name(), TaskStatus.FINISHED.wire(), null);
                metrics.endToEnd(task.model(), TaskStatus.FINISHED.wire(), Duration.between(task.createdAt(), finished));
            } else {
                // Lost the lease or the task ended meanwhile (deadline, cancel): our files are orphans.
                deleteQuietly(files);
            }
        } catch (TimeoutException e) {
            generation.cancel(true);
            end(claim, ErrorCode.TIMEOUT, "the task did not finish before its deadline");
        } catch (ExecutionException e) {
            handleFailure(claim, provider, e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            // Stopped because the task ended elsewhere (cancel, timeout): nothing left to record.
        } catch (InterruptedException e) {
            generation.cancel(true);
            Thread.currentThread().interrupt();
            // Shutting down: the claim was (or will be) released for another worker.
        } finally {
            generationsByTask.remove(task.id());
        }
    }

    /** What one run of a task came to: its stored files, or an upstream job still running. */
    private sealed interface Step {
        record Finished(List<StoredFile> files) implements Step {
        }

        record Waiting(String upstreamRef, int progress, Duration pollAfter) implements Step {
        }
    }

    private Step generate(Task task, Upstream provider) throws Exception {
        ModelSpec spec = catalog.find(task.model())
                .orElseThrow(() -> new UpstreamException(ErrorCode.INVALID_INPUT, "model " + task.model() + " is no longer served", false));
        GenerationRequest request;
        try {
            request = spec.validate(Json.parse(task.inputJson()), Integer.MAX_VALUE);
        } catch (InvalidInputException e) {
            throw new UpstreamException(ErrorCode.INVALID_INPUT, e.getMessage(), false);
        }
        var progress = new ProgressReporter(task.id());
        String upstreamModel = routeOf(task).upstreamModel();
        Upstream.Outcome outcome;
        if (task.upstreamRef() == null) {
            List<SourceImage> sources = fetchSources(task.id(), request.imageUrls());
            outcome = provider.start(new GenerationJob(task.id(), request, upstreamModel, sources, progress));
        } else {
            outcome = provider.poll(new GenerationJob(task.id(), request, upstreamModel, List.of(), progress), task.upstreamRef());
        }
        if (outcome instanceof Upstream.Outcome.Pending pending) {
            return new Step.Waiting(pending.upstreamRef(), pending.progress(), pending.pollAfter());
        }
        List<GeneratedImage> images = ((Upstream.Outcome.Done) outcome).images();
        List<StoredFile> files = new ArrayList<>(images.size());
        try {
            for (int i = 0; i < images.size(); i++) {
                GeneratedImage image = images.get(i);
                String ext = image.contentType().substring("image/".length());
                String key = task.id() + "/" + i + "." + ext;
                blobs.put(key, image.bytes(), image.contentType());
                files.add(new StoredFile(key, image.contentType(), image.width(), image.height(), image.bytes().length, provider.name()));
            }
        } catch (IOException e) {
            deleteQuietly(files);
            throw new UpstreamException(ErrorCode.INTERNAL_ERROR, "the output could not be stored", true);
        }
        return new Step.Finished(files);
    }

    private UpstreamRegistry.Route routeOf(Task task) {
        List<UpstreamRegistry.Route> routes = providers.routes(task.model());
        return task.routeIndex() < routes.size() && routes.get(task.routeIndex()).provider().equals(task.provider())
                ? routes.get(task.routeIndex())
                : new UpstreamRegistry.Route(task.provider(), null);
    }

    private List<SourceImage> fetchSources(String taskId, List<String> urls) throws UpstreamException {
        List<SourceImage> sources = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            try {
                sources.add(Uploads.isUploadReference(urls.get(i)) ? readUpload(taskId, urls.get(i)) : fetcher.fetchImage(urls.get(i)));
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
        try {
            var blob = blobs.open(key).orElseThrow(() -> new FetchException("the uploaded image is no longer stored"));
            byte[] bytes;
            try (var in = blob.stream()) {
                bytes = in.readAllBytes();
            }
            String type = dev.pictor.media.ImageProbe.sniff(bytes);
            int[] size = dev.pictor.media.ImageProbe.dimensions(bytes, type);
            return new SourceImage(bytes, type, size[0], size[1]);
        } catch (IOException e) {
            throw new FetchException("the uploaded image cannot be read");
        }
    }

    /**
     * A failed run. Not retryable (moderation, invalid input, ...): the task fails. Retryable (connect
     * errors, 429, 5xx, timeouts, an open circuit): the next route takes over at once when the model
     * has one; otherwise the same route is tried again after a backoff (doubling, with jitter, never
     * sooner than the upstream's Retry-After), up to the attempt limit.
     */
    private void handleFailure(Claim claim, Upstream provider, Throwable cause) {
        if (abandoning.get()) {
            return;
        }
        if (!(cause instanceof UpstreamException pe)) {
            // Not the client's fault and not worth echoing: log the detail (no prompt in it), answer generically.
            log.error("task {} failed unexpectedly", claim.taskId(), cause);
            metrics.providerError(provider.name(), ErrorCode.INTERNAL_ERROR.wire());
            end(claim, ErrorCode.INTERNAL_ERROR, "internal error while generating the image");
            return;
        }
        metrics.providerError(provider.name(), pe.code().wire());
        CircuitBreaker breaker = providers.breaker(provider.name());
        if (!pe.retryable()) {
            breaker.recordSuccess(); // the route works; the request is what failed
            end(claim, pe.code(), pe.getMessage());
            return;
        }
        breaker.recordFailure();
        Task task = claim.task();
        Instant now = clock.instant();
        String entry = logEntry(task, provider.name(), claim.attempt(), pe, now);
        List<UpstreamRegistry.Route> routes = providers.routes(task.model());
        int next = task.routeIndex() + 1;
        // A job already running upstream is worth waiting for: a failed poll is retried, never abandoned.
        if (next < routes.size() && task.upstreamRef() == null) {
            store.switchRoute(claim, routes.get(next).provider(), next, now, entry);
            wake();
            return;
        }
        if (claim.attempt() < maxAttempts) {
            Duration backoff = Duration.ofMillis((long) (1000L * (1L << Math.min(claim.attempt() - 1, 6)) * (0.8 + 0.4 * Math.random())));
            Duration wait = pe.retryAfter() != null && pe.retryAfter().compareTo(backoff) > 0 ? pe.retryAfter() : backoff;
            store.retryLater(claim, now.plus(wait), entry);
            return;
        }
        end(claim, pe.code(), pe.getMessage() + " (gave up after " + claim.attempt() + " attempts"
                + (routes.size() > 1 ? " and " + routes.size() + " routes" : "") + ")");
    }

    /** One line of the task's route log: where, which attempt, what failed. Never the prompt or a key. */
    private static String logEntry(Task task, String provider, int attempt, UpstreamException pe, Instant now) {
        var entry = dev.pictor.common.Json.object()
                .put("time", TaskView.isoTime(now))
                .put("provider", provider)
                .put("attempt", attempt)
                .put("error_code", pe.code().wire())
                .put("message", redact(pe.getMessage(), task));
        return dev.pictor.common.Json.write(entry);
    }

    /** Upstream messages sometimes quote the request; keep the prompt out of what is stored and shown. */
    static String redact(String message, Task task) {
        if (message == null) {
            return null;
        }
        String text = message.length() > 300 ? message.substring(0, 300) : message;
        try {
            String prompt = dev.pictor.common.Json.parse(task.inputJson()).path("prompt").asString("");
            if (prompt.length() >= 8) {
                text = text.replace(prompt, "[prompt]");
            }
        } catch (RuntimeException ignored) {
            // an unreadable input has nothing to redact
        }
        return text;
    }

    private void end(Claim claim, ErrorCode code, String message) {
        if (abandoning.get()) {
            return;
        }
        Instant now = clock.instant();
        if (store.fail(claim, code, message, now)) {
            metrics.taskCompleted(claim.task().model(), claim.task().provider(), TaskStatus.FAILED.wire(), code.wire());
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

    /**
     * Writes progress to the database off the calling thread, sparingly: nothing in a task's first
     * 250 ms (a fast task needs no progress rows), then at most one write per 250 ms and never two at
     * once for one task. Bursts of progress updates on the task's own row would otherwise contend with
     * its claim and finish transactions.
     */
    private final class ProgressReporter implements GenerationJob.ProgressSink {
        private static final long INTERVAL_NANOS = 250_000_000L;
        private final String taskId;
        private long lastWriteNanos = System.nanoTime();
        private int lastWritten;
        private boolean writing;

        ProgressReporter(String taskId) {
            this.taskId = taskId;
        }

        @Override
        public void report(int percent) {
            int p = Math.max(0, Math.min(99, percent));
            synchronized (this) {
                long now = System.nanoTime();
                if (p <= lastWritten || writing || now - lastWriteNanos < INTERVAL_NANOS) {
                    return;
                }
                lastWritten = p;
                lastWriteNanos = now;
                writing = true;
            }
            background.execute(() -> {
                try {
                    store.updateProgress(taskId, p);
                } finally {
                    synchronized (this) {
                        writing = false;
                    }
                }
            });
        }
    }

    /**
     * Stops claiming, lets running tasks finish for up to {@code grace}, then hands the rest back to
     * the queue (due at once) so another node, or this one after restart, continues them.
     */
    public void shutdown(Duration grace) {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            // A claim round in progress ends first, so every claimed task is either running or in inFlight.
            claimLoop.stop(Duration.ofSeconds(10));
            heartbeat.stop(Duration.ZERO);
            workers.shutdown();
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                abandoning.set(true);
                Instant now = clock.instant();
                for (Claim claim : inFlight.values()) {
                    store.release(claim, now);
                }
                log.info("shutdown: handed {} unfinished tasks back to the queue", inFlight.size());
                generations.shutdownNow();
                workers.shutdownNow();
            }
            background.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
