package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import dev.pictor.common.Json;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.InvalidInputException;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.metrics.Metrics;
import dev.pictor.upstream.UpstreamRegistry;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.net.CallbackUrls;
import dev.pictor.net.FetchSettings;
import dev.pictor.media.ImageProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
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
    private final UpstreamRegistry upstreams;
    private final CallbackUrls callbackUrls;
    private final Dispatcher dispatcher;
    private final Metrics metrics;
    private final TaskEvents events;
    private final BlobStore blobs;
    private final OwnFiles ownFiles;
    private final Duration retention;
    private final Clock clock;
    private final TaskSettings settings;
    private final FetchSettings sourceLimits;
    private final TaskIds ids = new TaskIds();

    /** How often a waiter re-reads a task, for changes made on other nodes. */
    private static final Duration RECHECK = Duration.ofMillis(500);

    public TaskService(TaskStore store, ModelCatalog catalog, UpstreamRegistry upstreams, CallbackUrls callbackUrls, Dispatcher dispatcher,
                       Metrics metrics, TaskEvents events, BlobStore blobs, FileUrls fileUrls, Duration retention, FetchSettings sourceLimits, Clock clock,
                       TaskSettings settings) {
        this.store = store;
        this.catalog = catalog;
        this.upstreams = upstreams;
        this.callbackUrls = callbackUrls;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.events = events;
        this.blobs = blobs;
        this.ownFiles = new OwnFiles(fileUrls, store, blobs);
        this.retention = retention;
        this.sourceLimits = sourceLimits;
        this.clock = clock;
        this.settings = settings;
    }

    /** Thrown when the model is valid but this server has no upstream for it. */
    public static final class NoRouteException extends RuntimeException {
        public NoRouteException(String model) {
            super("no upstream is configured for " + model + " on this server (sandbox mode is off)");
        }
    }

    /** How long a submit's Idempotency-Key holds. */
    public static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    /**
     * The task a submit resolved to; {@code replayed} when an Idempotency-Key returned an earlier one.
     * {@code outputs}: when this call ran the task to its end here, the bytes of its files by key, as
     * the run stored them (else empty), for an answer that carries the images themselves.
     */
    public record Submission(Task task, boolean replayed, Map<String, byte[]> outputs) {
        public Submission(Task task, boolean replayed) {
            this(task, replayed, Map.of());
        }
    }

    /**
     * Validates and stores a task. With an {@code idempotencyKey}, the same key and the same request
     * (model, normalised input, callback) within 24 hours return the first task; the same key with
     * another request is an {@link TaskStore.IdempotencyConflict}. Nothing is stored for an invalid request.
     */
    public Submission submit(String tenantId, NewTask.Key submitter, String model, JsonNode input, String callbackUrl, String idempotencyKey) {
        return submit(tenantId, submitter, model, input, callbackUrl, Map.of(), List.of(), null, idempotencyKey);
    }

    /**
     * As {@link #submit(String, NewTask.Key, String, JsonNode, String, String)}, with the client's
     * {@link Metadata} and webhook events (already validated) and, when not null, a retention
     * shorter than the operator's ({@link #checkRetention}).
     */
    public Submission submit(String tenantId, NewTask.Key key, String model, JsonNode input, String callbackUrl, Map<String, String> metadata,
                             List<WebhookEventType> webhookEvents, Duration retention, String idempotencyKey) {
        ModelSpec spec = spec(model);
        rejectUploadReferences(input);
        GenerationRequest request = spec.validate(input, settings.maxPromptChars());
        checkOwnFiles(tenantId, spec.id(), request);
        String callback = callbackUrl == null ? null : callbackUrls.check(callbackUrl);
        Instant now = clock.instant();
        return store(tenantId, key, spec, request, callback, metadata, webhookEvents, retention, idempotencyKey, ids.next(now), now);
    }

    /**
     * A submit's own retention, in seconds: at least a minute, at most the operator's retention (a
     * client may keep its files for less time than the installation does, never longer).
     */
    public Duration checkRetention(long seconds) {
        long max = retention.toSeconds();
        if (seconds < MIN_RETENTION.toSeconds() || seconds > max) {
            throw new InvalidInputException("retention_seconds", "retention_seconds must be from " + MIN_RETENTION.toSeconds()
                    + " to " + max + " (this server keeps tasks and files " + max + " seconds after they end)");
        }
        return Duration.ofSeconds(seconds);
    }

    /** The shortest retention a submit may ask for: long enough to read the result once. */
    public static final Duration MIN_RETENTION = Duration.ofMinutes(1);

    private void checkOwnFiles(String tenantId, String model, GenerationRequest request) {
        List<String> urls = request.imageUrls();
        for (int i = 0; i < urls.size(); i++) {
            ownFiles.checkAtSubmit(tenantId, model, i, urls.get(i));
        }
    }

    /**
     * The checks of {@link #submit} without storing anything: what an estimate prices. Throws the same
     * exceptions submit does for a bad model, input or callback URL.
     */
    public GenerationRequest check(String tenantId, String model, JsonNode input, String callbackUrl) {
        ModelSpec spec = spec(model);
        rejectUploadReferences(input);
        GenerationRequest request = spec.validate(input, settings.maxPromptChars());
        checkOwnFiles(tenantId, spec.id(), request);
        if (callbackUrl != null) {
            callbackUrls.check(callbackUrl);
        }
        return request;
    }

    /** A source image given with a request: a URL to fetch when the task runs, or bytes uploaded with it. */
    public sealed interface Source {
        record Url(String url) implements Source {
        }

        record Upload(byte[] bytes) implements Source {
        }
    }

    /**
     * Validates and stores a task whose {@code image_urls} are the given sources, in order; uploaded
     * bytes are checked (type from the bytes, size, pixel count), kept with the task, and read from
     * storage when it runs. Used by the OpenAI edits endpoint.
     */
    public Submission submitWithSources(String tenantId, NewTask.Key key, String model, ObjectNode input, List<Source> sources) {
        ModelSpec spec = spec(model);
        rejectUploadReferences(input);
        Instant now = clock.instant();
        String taskId = ids.next(now);
        Map<String, byte[]> uploads = new LinkedHashMap<>();
        if (!sources.isEmpty()) {
            ArrayNode urls = input.putArray("image_urls");
            for (int i = 0; i < sources.size(); i++) {
                switch (sources.get(i)) {
                    case Source.Url url -> urls.add(url.url());
                    case Source.Upload upload -> {
                        String ext = checkUpload(upload.bytes(), i);
                        String ref = Uploads.reference(taskId, i, ext);
                        uploads.put(Uploads.keyFor(taskId, ref), upload.bytes());
                        urls.add(ref);
                    }
                }
            }
        }
        GenerationRequest request = spec.validate(input, settings.maxPromptChars());
        checkOwnFiles(tenantId, spec.id(), request);
        try {
            for (var upload : uploads.entrySet()) {
                blobs.put(upload.getKey(), upload.getValue(), "application/octet-stream");
            }
            return store(tenantId, key, spec, request, null, Map.of(), List.of(), null, null, taskId, now);
        } catch (IOException | RuntimeException e) {
            try {
                blobs.deleteAll(taskId + "/");
            } catch (IOException ignored) {
                // the sweeper cannot find these without a task row; nothing better to do here
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("the uploaded images could not be stored", io);
            }
            throw (RuntimeException) e;
        }
    }

    private String checkUpload(byte[] bytes, int index) {
        String field = "image[" + index + "]";
        if (bytes.length > sourceLimits.maxBytes()) {
            throw new InvalidInputException(field, field + " is " + bytes.length + " bytes, over the limit of " + sourceLimits.maxBytes());
        }
        String type = ImageProbe.sniff(bytes);
        if (type == null) {
            throw new InvalidInputException(field, field + " is not a PNG, JPEG, WebP or GIF image");
        }
        try {
            int[] size = ImageProbe.dimensions(bytes, type);
            if ((long) size[0] * size[1] > sourceLimits.maxPixels()) {
                throw new InvalidInputException(field, field + " is " + size[0] + "x" + size[1] + " pixels, over the limit of " + sourceLimits.maxPixels());
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException iie) {
                throw iie;
            }
            throw new InvalidInputException(field, field + " cannot be read as an image");
        }
        return type.substring("image/".length());
    }

    /** Upload references are Pictor's own; a client may not name them (it could only name nothing it owns). */
    private static void rejectUploadReferences(JsonNode input) {
        JsonNode urls = input == null ? null : input.get("image_urls");
        if (urls != null && urls.isArray()) {
            for (int i = 0; i < urls.size(); i++) {
                if (urls.get(i).isString() && Uploads.isUploadReference(urls.get(i).asString())) {
                    throw new InvalidInputException("input.image_urls[" + i + "]", "image_urls[" + i + "] must be an http or https URL you control");
                }
            }
        }
    }

    private ModelSpec spec(String model) {
        return catalog.find(model).orElseThrow(() ->
                new InvalidInputException("model", "model '" + clip(model) + "' is not supported; GET /api/models lists the models"));
    }

    private Submission store(String tenantId, NewTask.Key submitter, ModelSpec spec, GenerationRequest request, String callback, Map<String, String> metadata,
                             List<WebhookEventType> webhookEvents, Duration retention, String idempotencyKey, String taskId, Instant now) {
        Prepared prepared = prepare(tenantId, submitter, spec, request, callback, metadata, webhookEvents, retention, idempotencyKey, taskId, now);
        TaskStore.Insertion inserted = store.insert(prepared.task(), prepared.key());
        if (!inserted.replayed()) {
            metrics.taskSubmitted(prepared.task().model());
            dispatcher.wake();
        }
        return new Submission(inserted.task(), inserted.replayed());
    }

    /** A task ready to store, with its Idempotency-Key (null without one). */
    private record Prepared(NewTask task, TaskStore.IdempotencyKey key) {
    }

    private Prepared prepare(String tenantId, NewTask.Key submitter, ModelSpec spec, GenerationRequest request, String callback, Map<String, String> metadata,
                             List<WebhookEventType> webhookEvents, Duration retention, String idempotencyKey, String taskId, Instant now) {
        String model = spec.id();
        String upstream = upstreams.routeFor(model).orElseThrow(() -> new NoRouteException(model));
        String inputJson = Json.write(request.input());
        var task = new NewTask(taskId, tenantId, model, inputJson, callback, upstream, now, now.plus(settings.deadline()), metadata, webhookEvents,
                retention, submitter);
        // Metadata joins the hash only when given, so keys used before it existed still match their requests.
        String metadataJson = Metadata.write(metadata);
        TaskStore.IdempotencyKey key = idempotencyKey == null ? null
                : new TaskStore.IdempotencyKey(idempotencyKey, sha256(model + "\n" + inputJson + "\n" + (callback == null ? "" : callback)
                        + (metadataJson == null ? "" : "\n" + metadataJson)
                        + (webhookEvents.isEmpty() ? "" : "\nevents:" + WebhookEventType.write(webhookEvents))
                        + (retention == null ? "" : "\nretention:" + retention.toSeconds())),
                        now.minus(IDEMPOTENCY_WINDOW));
        return new Prepared(task, key);
    }

    /**
     * As {@link #submit(String, String, JsonNode, String, String)} for a caller that waits for the
     * result (the synchronous OpenAI endpoint): when this node has a free slot for the task's
     * upstream, the task is stored already leased to this node and run at once on the caller's
     * thread, skipping the queue, the claim round and its write. It is an ordinary leased task in the
     * database all the while: if the node dies, the lease runs out and any node runs it again. Without
     * a free slot, or when the Idempotency-Key replays an earlier task, it is the ordinary submit.
     * Returns once the run has come to its next stop (ended, or waiting for an upstream job or a
     * retry) or {@code wait} has passed, with the task as it then is; the run goes on after that.
     */
    public Submission submitAndRun(String tenantId, NewTask.Key submitter, String model, JsonNode input, String idempotencyKey, Duration wait)
            throws InterruptedException {
        ModelSpec spec = spec(model);
        rejectUploadReferences(input);
        GenerationRequest request = spec.validate(input, settings.maxPromptChars());
        Instant now = clock.instant();
        Prepared prepared = prepare(tenantId, submitter, spec, request, null, Map.of(), List.of(), null, idempotencyKey, ids.next(now), now);
        String upstream = prepared.task().upstream();
        if (!dispatcher.tryReserve(upstream)) {
            TaskStore.Insertion inserted = store.insert(prepared.task(), prepared.key());
            if (!inserted.replayed()) {
                metrics.taskSubmitted(prepared.task().model());
                dispatcher.wake();
            }
            return new Submission(inserted.task(), inserted.replayed());
        }
        TaskStore.LeasedInsertion inserted;
        try {
            var lease = new TaskStore.Lease(dispatcher.nodeId(), store.leaseToken(), now.plus(dispatcher.lease()));
            inserted = store.insertLeased(prepared.task(), prepared.key(), lease);
        } catch (RuntimeException e) {
            dispatcher.cancelReservation(upstream);
            throw e;
        }
        if (inserted.claim() == null) {
            dispatcher.cancelReservation(upstream);
            return new Submission(inserted.insertion().task(), inserted.insertion().replayed());
        }
        metrics.taskSubmitted(prepared.task().model());
        Task task = inserted.claim().task();
        try (TaskEvents.EndWatch end = events.watchEnd(task.id())) {
            try {
                dispatcher.startInline(inserted.claim()).get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // still running: the caller answers "not ready" as it would for a queued task
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("running task " + task.id() + " failed", e.getCause());
            }
            // Ended by the run: the task as its ending write left it. Otherwise (waiting for an upstream job, a retry) read it.
            return new Submission(end.ended().orElseGet(() -> store.find(tenantId, task.id()).orElse(task)), false, end.outputs());
        }
    }

    /**
     * The task once it has ended, or as it is when {@code max} has passed. Changes on this node wake
     * the wait at once; changes made by another node are seen within half a second.
     */
    public Task awaitTerminal(Task task, Duration max) throws InterruptedException {
        return awaitTerminal(task, max, false);
    }

    /**
     * The same, but ends early when this node starts shutting down, with the task as it is then: the
     * caller answers that (not an error), and the client follows the task on another node.
     */
    public Task awaitTerminalUnlessDraining(Task task, Duration max) throws InterruptedException {
        return awaitTerminal(task, max, true);
    }

    /** Whether this node is shutting down (see {@link TaskEvents#draining}). */
    public boolean draining() {
        return events.draining();
    }

    /** See {@link TaskEvents#hold}. */
    public TaskEvents.Hold hold() {
        return events.hold();
    }

    private Task awaitTerminal(Task task, Duration max, boolean endOnDrain) throws InterruptedException {
        Instant end = clock.instant().plus(max);
        Task current = task;
        while (!current.status().isTerminal() && !(endOnDrain && events.draining())) {
            Duration left = Duration.between(clock.instant(), end);
            if (left.isNegative() || left.isZero()) {
                break;
            }
            current = nextState(current, left.compareTo(RECHECK) < 0 ? left : RECHECK);
        }
        return current;
    }

    /** The task after its next change on this node, or re-read after {@code max} (changes on other nodes). */
    public Task nextState(Task task, Duration max) throws InterruptedException {
        return events.awaitChange(task.id(), max).orElseGet(() -> store.find(task.tenantId(), task.id()).orElse(task));
    }

    /** A page of a tenant's tasks, newest first, and where the next page starts (null at the end). */
    public record Page(List<Task> tasks, TaskStore.Cursor next) {
    }

    public Page list(String tenantId, TaskStatus status, String model, Instant since, Instant until, TaskStore.Cursor after, int limit) {
        return list(tenantId, status, model, null, since, until, after, limit);
    }

    public Page list(String tenantId, TaskStatus status, String model, TaskStore.MetadataFilter metadata, Instant since, Instant until,
                     TaskStore.Cursor after, int limit) {
        var tasks = store.list(tenantId, status, model, metadata, since, until, after, limit + 1);
        if (tasks.size() <= limit) {
            return new Page(tasks, null);
        }
        var page = tasks.subList(0, limit);
        Task last = page.getLast();
        return new Page(List.copyOf(page), new TaskStore.Cursor(last.createdAt(), last.id()));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers {@code listener} to hear, on this node, of the changes an ended task can still see
     * (its files deleted, its row removed by retention): for whoever caches ended tasks' answers.
     */
    public void onEndedTaskChange(java.util.function.Consumer<String> listener) {
        events.onRewrite(listener);
    }

    public Optional<Task> find(String tenantId, String taskId) {
        return TaskIds.looksValid(taskId) ? store.find(tenantId, taskId) : Optional.empty();
    }

    /** The tenant's tasks among {@code taskIds}, newest first; malformed, unknown and other tenants' ids are absent. */
    public List<Task> findMany(String tenantId, List<String> taskIds) {
        return store.findMany(tenantId, taskIds.stream().filter(TaskIds::looksValid).distinct().toList());
    }

    /** Tasks ahead of this one while it waits in the queue; null otherwise. */
    public Long queuePosition(Task task) {
        return task.status() == TaskStatus.NOT_STARTED ? store.queuePosition(task.id(), clock.instant()).orElse(null) : null;
    }

    /** A task's files cannot be deleted while it runs: they may still be written. */
    public static final class StillRunningException extends RuntimeException {
        public StillRunningException(String taskId) {
            super("task " + taskId + " has not ended; cancel it first, or delete its files once it has ended");
        }
    }

    /**
     * Deletes an ended task's files (outputs and uploaded sources) at its owner's request: the task
     * then lists no files and its file links answer 404. The row goes first, so a failure between the
     * two leaves unreachable bytes for the retention sweep, never a link to a missing file.
     */
    public Optional<Task> deleteFiles(String tenantId, String taskId) throws IOException {
        Optional<Task> task = find(tenantId, taskId);
        if (task.isEmpty()) {
            return task;
        }
        if (!task.get().status().isTerminal() || !store.clearFiles(taskId)) {
            throw new StillRunningException(taskId);
        }
        blobs.deleteAll(taskId + "/");
        return store.find(tenantId, taskId);
    }

    /** The outcome of a cancel: the task as it now is, and whether this call is what ended it. */
    public record Cancellation(Task task, boolean cancelledNow) {
    }

    /**
     * Cancels a task that has not ended: it fails with {@code cancelled} (and its webhook fires like any
     * terminal state), and its generation is stopped. A task that already ended, or that finishes in
     * the same instant, keeps its state; the answer says which won. Calling it again changes nothing.
     */
    public Optional<Cancellation> cancel(String tenantId, String taskId) {
        Optional<Task> task = find(tenantId, taskId);
        if (task.isEmpty()) {
            return Optional.empty();
        }
        boolean cancelled = !task.get().status().isTerminal()
                && store.failUnclaimed(taskId, ErrorCode.CANCELLED, "cancelled by the client", clock.instant());
        if (cancelled) {
            dispatcher.stopGenerating(taskId);
            dispatcher.cancelUpstream(task.get());
            metrics.taskCompleted(task.get().model(), task.get().upstream(), TaskStatus.FAILED.wire(), ErrorCode.CANCELLED.wire());
        }
        return Optional.of(new Cancellation(store.find(tenantId, taskId).orElseThrow(), cancelled));
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
