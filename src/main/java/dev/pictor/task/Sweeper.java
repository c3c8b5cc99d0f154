package dev.pictor.task;

import dev.pictor.metrics.Metrics;
import dev.pictor.storage.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep that guarantees the promises no single worker can: every task ends (a task past
 * its deadline is failed with {@code timeout}, whatever state it is in and whoever holds it), and
 * nothing is kept longer than the retention period (files first, then the task row, so a crash in
 * between only leaves work for the next round). Safe to run on every node at once.
 */
public final class Sweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
    private static final int BATCH = 200;

    private final TaskStore store;
    private final BlobStore blobs;
    private final Metrics metrics;
    private final Clock clock;
    private final Duration deadlineInterval;
    private final Duration retention;
    private final Duration cleanupInterval;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    public Sweeper(TaskStore store, BlobStore blobs, Metrics metrics, Clock clock, Duration deadlineInterval,
                   Duration retention, Duration cleanupInterval) {
        this.store = store;
        this.blobs = blobs;
        this.metrics = metrics;
        this.clock = clock;
        this.deadlineInterval = deadlineInterval;
        this.retention = retention;
        this.cleanupInterval = cleanupInterval;
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            thread = Thread.ofVirtual().name("pictor-sweeper").start(this::loop);
        }
    }

    private void loop() {
        Instant nextCleanup = clock.instant();
        while (running.get()) {
            try {
                failOverdue();
                if (!clock.instant().isBefore(nextCleanup)) {
                    removeExpired();
                    nextCleanup = clock.instant().plus(cleanupInterval);
                }
                Thread.sleep(deadlineInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("sweep failed; will retry", e);
                try {
                    Thread.sleep(deadlineInterval.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Fails every open task whose deadline has passed; returns how many it failed. */
    public int failOverdue() {
        int failed = 0;
        List<String> overdue;
        do {
            overdue = store.overdueTaskIds(clock.instant(), BATCH);
            for (String id : overdue) {
                if (store.failUnclaimed(id, ErrorCode.TIMEOUT, "the task did not finish before its deadline", clock.instant())) {
                    failed++;
                    store.findAnyTenant(id).ifPresent(t -> metrics.taskCompleted(t.model(), t.provider(), "failed", ErrorCode.TIMEOUT.wire()));
                }
            }
        } while (overdue.size() == BATCH);
        return failed;
    }

    /** Deletes tasks (and their files) that ended more than the retention period ago. */
    public int removeExpired() {
        int removed = 0;
        List<Task> expired;
        do {
            expired = store.expiredTasks(clock.instant().minus(retention), BATCH);
            for (Task task : expired) {
                try {
                    blobs.deleteAll(task.id() + "/"); // outputs and uploaded sources
                    store.delete(task.id());
                    removed++;
                } catch (IOException e) {
                    log.warn("could not delete the files of expired task {}; will retry", task.id(), e);
                    return removed;
                }
            }
        } while (expired.size() == BATCH);
        if (removed > 0) {
            log.info("retention: removed {} tasks that ended more than {} ago", removed, retention);
        }
        store.expireIdempotencyKeys(clock.instant().minus(TaskService.IDEMPOTENCY_WINDOW));
        return removed;
    }

    @Override
    public void close() {
        running.set(false);
        if (thread != null) {
            thread.interrupt();
        }
    }
}
