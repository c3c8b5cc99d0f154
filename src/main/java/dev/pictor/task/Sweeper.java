package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import dev.pictor.common.BackgroundLoop;
import dev.pictor.metrics.Metrics;
import dev.pictor.storage.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
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
    private final Duration retention;
    private final Duration cleanupInterval;
    private final BackgroundLoop loop;
    /** When the next retention cleanup is due; touched only by the loop's thread. */
    private Instant nextCleanup = Instant.MIN;

    public Sweeper(TaskStore store, BlobStore blobs, Metrics metrics, Clock clock, Duration deadlineInterval,
                   Duration retention, Duration cleanupInterval) {
        this.store = store;
        this.blobs = blobs;
        this.metrics = metrics;
        this.clock = clock;
        this.retention = retention;
        this.cleanupInterval = cleanupInterval;
        this.loop = new BackgroundLoop("pictor-sweeper", deadlineInterval, this::sweep);
    }

    public void start() {
        loop.start();
    }

    /** One round: deadlines every time, retention cleanup when due; then waits for the next interval. */
    private boolean sweep() {
        failOverdue();
        if (!clock.instant().isBefore(nextCleanup)) {
            removeExpired();
            nextCleanup = clock.instant().plus(cleanupInterval);
        }
        return false;
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
                    store.findAnyTenant(id).ifPresent(t -> metrics.taskCompleted(t.model(), t.upstream(), "failed", ErrorCode.TIMEOUT.wire()));
                }
            }
        } while (overdue.size() == BATCH);
        return failed;
    }

    /**
     * Deletes tasks (and their files) that ended more than the retention period ago, or more than
     * their own shorter retention ago when their submit asked for one.
     */
    public int removeExpired() {
        Instant now = clock.instant();
        Removal byDefault = removeAll(() -> store.expiredTasks(now.minus(retention), BATCH));
        int removed = byDefault.removed();
        if (!byDefault.storageFailed()) {
            removed += removeAll(() -> store.expiredByOwnRetention(now, now.minus(TaskService.MIN_RETENTION), retention, BATCH)).removed();
        }
        if (removed > 0) {
            log.info("retention: removed {} ended tasks and their files", removed);
        }
        store.expireIdempotencyKeys(now.minus(TaskService.IDEMPOTENCY_WINDOW));
        return removed;
    }

    /** How many tasks a query's batches removed, and whether storage failed (the rest waits for the next round). */
    private record Removal(int removed, boolean storageFailed) {
    }

    private Removal removeAll(Supplier<List<Task>> query) {
        int removed = 0;
        List<Task> expired;
        do {
            expired = query.get();
            for (Task task : expired) {
                try {
                    blobs.deleteAll(task.id() + "/"); // outputs and uploaded sources
                    store.delete(task.id());
                    removed++;
                } catch (IOException e) {
                    log.warn("could not delete the files of expired task {}; will retry", task.id(), e);
                    return new Removal(removed, true);
                }
            }
        } while (expired.size() == BATCH);
        return new Removal(removed, false);
    }

    @Override
    public void close() {
        try {
            loop.stop(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
