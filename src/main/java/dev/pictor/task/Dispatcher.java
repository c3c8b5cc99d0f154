package dev.pictor.task;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.BackgroundLoop;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.SafeFetcher;
import dev.pictor.metrics.Metrics;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due tasks from the queue and hands each to a {@link TaskRunner} on its own virtual thread.
 *
 * <ul>
 *   <li>Claims only as much as there is room for: per upstream ({@link Upstream#concurrency()})
 *       and per node ({@code maxInFlight}), so a busy upstream never holds tasks another node could run.</li>
 *   <li>{@link #wake()} (called on submit, on a peer's notice and when a put-back task comes due)
 *       starts a claim round at once; a freed slot starts one too, but only for upstreams whose last
 *       claim did not come back short since the last such signal; a polling tick covers work that
 *       became due by time or was submitted on another node.</li>
 *   <li>A heartbeat extends the leases of everything in flight in one statement. If this process dies,
 *       the leases run out and another node (or this one after restart) claims the tasks again.</li>
 *   <li>On shutdown, running tasks get a grace period; the rest go back to the queue.</li>
 * </ul>
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_CLAIM_BATCH = 32;

    private final TaskStore store;
    private final UpstreamRegistry upstreams;
    private final Clock clock;
    private final String nodeId;
    private final Duration lease;
    private final Duration pollInterval;
    private final TaskRunner runner;

    private final Semaphore nodeSlots;
    private final Map<String, Semaphore> upstreamSlots = new ConcurrentHashMap<>();
    private final Map<String, Claim> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    /** Side work that must not run on a generation thread (those get interrupted): progress writes, upstream cancels. */
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    /** Wakes the claim loop when a task this node put back comes due before the next tick. */
    private final ScheduledExecutorService dueTimer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("pictor-dispatcher-due").factory());
    private final AtomicBoolean running = new AtomicBoolean();
    /**
     * Counts the signals that work may have been queued (a submit, a peer's notice, a put-back task
     * coming due). A claim that came back short for an upstream is remembered with the count it saw:
     * until the count moves, or a poll interval passes (work due by time, another node's expired
     * lease; half a poll interval, so every tick looks again), that upstream's queue is known to hold nothing due, and a freed slot does not send a
     * claim query to find that out again (on the proxy path, one query per request, all empty).
     */
    private final AtomicLong workSignals = new AtomicLong();
    private final Map<String, ShortClaim> shortClaims = new ConcurrentHashMap<>();
    private final BackgroundLoop claimLoop;

    /** A claim for an upstream that found fewer due tasks than it had room for: at which signal count, and when. */
    private record ShortClaim(long signals, Instant at) {
    }
    private final BackgroundLoop heartbeat;

    public Dispatcher(TaskStore store, ModelCatalog catalog, UpstreamRegistry upstreams, SafeFetcher fetcher, DecodeBudget decodes,
                      BlobStore blobs, FileUrls fileUrls, Metrics metrics, Clock clock, String nodeId, TaskSettings settings) {
        this.store = store;
        this.upstreams = upstreams;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lease = settings.lease();
        this.pollInterval = settings.pollInterval();
        // java.util.Random is thread-safe, which the runners sharing the policy need.
        var policy = new RetryPolicy(settings.retryBase(), settings.maxAttempts(), clock, new Random());
        this.runner = new TaskRunner(store, catalog, upstreams, fetcher, decodes, blobs, new OwnFiles(fileUrls, store, blobs), metrics, clock,
                policy, background, this::wakeAt);
        this.nodeSlots = new Semaphore(settings.maxInFlight());
        upstreams.all().forEach(u -> upstreamSlots.put(u.name(), new Semaphore(u.concurrency())));
        this.claimLoop = new BackgroundLoop("pictor-dispatcher", settings.pollInterval(), () -> claimRound() > 0);
        this.heartbeat = new BackgroundLoop("pictor-heartbeat", Duration.ofMillis(Math.max(100, settings.lease().toMillis() / 3)),
                this::renewLeases);
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            claimLoop.start();
            heartbeat.start();
        }
    }

    /** Work may have been queued: starts a claim round now instead of at the next tick. */
    public void wake() {
        workSignals.incrementAndGet();
        claimLoop.wake();
    }

    /** A slot came free: a claim round for the upstreams whose queues may still hold due work. */
    private void slotFreed() {
        claimLoop.wake();
    }

    /**
     * Starts a claim round when {@code due} comes, if that is sooner than the next tick: a retry after
     * a short backoff, or the next poll of an upstream job, then waits only as long as it should.
     */
    private void wakeAt(Instant due) {
        long delayNanos = Duration.between(clock.instant(), due).toNanos();
        if (delayNanos <= 0) {
            wake();
        } else if (delayNanos < pollInterval.toNanos() && !dueTimer.isShutdown()) {
            dueTimer.schedule(this::wake, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Claims, per upstream, no more tasks than it has free slots (and the node has room for): a claimed
     * task starts at once, so "running" means running, queued tasks keep their queue position, and
     * other nodes can take what this one cannot run yet.
     */
    private int claimRound() {
        int claimed = 0;
        Instant now = clock.instant();
        for (var entry : upstreamSlots.entrySet()) {
            Semaphore slots = entry.getValue();
            long signals = workSignals.get();
            ShortClaim last = shortClaims.get(entry.getKey());
            if (last != null && last.signals() == signals && now.isBefore(last.at().plus(pollInterval.dividedBy(2)))) {
                continue; // nothing was due at the last look, and nothing has been queued since
            }
            int room = Math.min(Math.min(nodeSlots.availablePermits(), slots.availablePermits()), MAX_CLAIM_BATCH);
            // Slots are taken before the claim (inline runs take them too), and what the claim did not fill goes back.
            if (room <= 0 || !slots.tryAcquire(room)) {
                continue;
            }
            if (!nodeSlots.tryAcquire(room)) {
                slots.release(room);
                continue;
            }
            List<Claim> claims;
            try {
                claims = store.claim(nodeId, List.of(entry.getKey()), room, now, lease);
            } catch (RuntimeException e) {
                slots.release(room);
                nodeSlots.release(room);
                throw e;
            }
            slots.release(room - claims.size());
            nodeSlots.release(room - claims.size());
            if (claims.size() < room) {
                shortClaims.put(entry.getKey(), new ShortClaim(signals, now));
            } else {
                shortClaims.remove(entry.getKey());
            }
            for (Claim claim : claims) {
                inFlight.put(claim.taskId(), claim);
                claimed++;
                workers.execute(() -> runHolding(claim, slots));
            }
        }
        return claimed;
    }

    /** Runs a claimed task whose slots are taken, and gives them back after. */
    private void runHolding(Claim claim, Semaphore slots) {
        try {
            runner.run(claim);
        } catch (RuntimeException e) {
            log.error("task {}: recording its outcome failed; it is retried when its lease runs out", claim.taskId(), e);
        } finally {
            slots.release();
            inFlight.remove(claim.taskId());
            nodeSlots.release();
            slotFreed();
        }
    }

    /** This node's name, which its leases carry. */
    String nodeId() {
        return nodeId;
    }

    /** How long a lease lasts before the heartbeat extends it. */
    Duration lease() {
        return lease;
    }

    /**
     * Takes a slot of {@code upstream} and of the node for a task that will be run at once on the
     * caller's thread ({@link #runInline}); false when there is none free (or the node is stopping),
     * and the task should be queued instead.
     */
    boolean tryReserve(String upstream) {
        Semaphore slots = upstreamSlots.get(upstream);
        if (!running.get() || slots == null || !slots.tryAcquire()) {
            return false;
        }
        if (!nodeSlots.tryAcquire()) {
            slots.release();
            return false;
        }
        return true;
    }

    /** Gives back a reservation that was not run (the insert failed, or replayed an earlier task). */
    void cancelReservation(String upstream) {
        upstreamSlots.get(upstream).release();
        nodeSlots.release();
    }

    /**
     * Starts a task stored already leased to this node, with the slots of {@link #tryReserve}, at once
     * on its own virtual thread (the caller waits on the future, up to its own limit): the heartbeat
     * renews its lease and lost-lease checks stop it like any claimed task; the slots go back when it
     * ends. When the node is stopping, the claim goes back to the queue instead.
     */
    java.util.concurrent.Future<?> startInline(Claim claim) {
        Semaphore slots = upstreamSlots.get(claim.task().upstream());
        inFlight.put(claim.taskId(), claim);
        try {
            return workers.submit(() -> runHolding(claim, slots));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(claim.taskId());
            slots.release();
            nodeSlots.release();
            store.release(claim, clock.instant());
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
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
        runner.stopGenerating(taskId);
    }

    /** Asks the task's upstream to stop its job, if it has one running (best effort, in the background). */
    public void cancelUpstream(Task task) {
        if (task.upstreamRef() == null) {
            return;
        }
        upstreams.find(task.upstream()).ifPresent(u -> background.execute(() -> u.cancel(task.upstreamRef())));
    }

    /** Claims nothing more from now on (a stopping node lets its peers take new work); running tasks go on. */
    public void stopClaiming() {
        try {
            claimLoop.stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
            dueTimer.shutdownNow();
            workers.shutdown();
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                // Order matters: no outcome is recorded from here on, then the claims go back (while their
                // workers still list them in inFlight), and only then are the generations interrupted.
                runner.abandon();
                Instant now = clock.instant();
                for (Claim claim : inFlight.values()) {
                    store.release(claim, now);
                }
                log.info("shutdown: handed {} unfinished tasks back to the queue", inFlight.size());
                runner.stopAll();
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
