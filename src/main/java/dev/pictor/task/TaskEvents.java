package dev.pictor.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes whoever waits on a task (wait mode, server-sent events, the OpenAI endpoints) when this node
 * changes it: claimed, progressed, ended. Changes made on another node are not seen here, so waiters
 * also re-read the task at a short interval; this only makes the common case immediate.
 */
public final class TaskEvents {
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<String>> rewriteListeners = new CopyOnWriteArrayList<>();

    /**
     * Registers {@code listener} to hear of changes to ended tasks on this node ({@link #rewritten}):
     * what caches ended tasks' answers drops them there.
     */
    public void onRewrite(java.util.function.Consumer<String> listener) {
        rewriteListeners.add(listener);
    }

    /**
     * Called after an ended task changed anyway (its files deleted, its row removed): the one kind
     * of change to a task that cached answers of ended tasks must hear of.
     */
    public void rewritten(String taskId) {
        rewriteListeners.forEach(listener -> listener.accept(taskId));
        changed(taskId);
    }

    /** Called after a change to {@code taskId} has committed. */
    public void changed(String taskId) {
        List<Waiter> list = waiters.get(taskId);
        if (list != null) {
            list.forEach(waiter -> waiter.signal.release());
        }
    }

    /**
     * Called after the write that ended {@code task} has committed, with the task as that write left
     * it and the bytes of the files that run stored, by key (empty for a failure): waiters get both
     * handed over and need not read them back (the inline OpenAI path read every task it had just
     * finished once more, 4 % of that path's CPU, and then each of its images from the blob store:
     * on S3, a GET per image). The bytes come from the run whose write ended the task: those it stored
     * under the task's keys (a run that lost its lease and writes the same keys later replaces the
     * stored files, not these bytes).
     */
    void ended(Task task, Map<String, byte[]> outputs) {
        List<Waiter> list = waiters.get(task.id());
        if (list != null) {
            list.forEach(waiter -> {
                waiter.outputs = outputs;
                waiter.ended = task;
                waiter.signal.release();
            });
        }
    }

    /** Waiters registered on {@code taskId} (for tests). */
    int waiting(String taskId) {
        List<Waiter> list = waiters.get(taskId);
        return list == null ? 0 : list.size();
    }

    /** One waiter on one task: woken by any change, handed the task (and its files' bytes) when the change ended it. */
    private static final class Waiter {
        final Semaphore signal = new Semaphore(0);
        volatile Map<String, byte[]> outputs = Map.of();
        volatile Task ended; // written after outputs: whoever sees it sees them
    }

    /**
     * Waits until {@code taskId} changes on this node or {@code max} passes. Returns the task when
     * this node ended it meanwhile (as the ending write left it), else empty: re-read it.
     */
    public Optional<Task> awaitChange(String taskId, Duration max) throws InterruptedException {
        if (draining) {
            // No more wake-ups on a stopping node: those still waiting (the OpenAI surface) re-read at a steady pace.
            Thread.sleep(Math.min(500, Math.max(0, max.toMillis())));
            return Optional.empty();
        }
        try (EndWatch watch = watchEnd(taskId)) {
            watch.waiter.signal.tryAcquire(Math.max(0, max.toMillis()), TimeUnit.MILLISECONDS);
            return watch.ended();
        }
    }

    /**
     * Starts watching {@code taskId} for its end on this node, for a caller that waits on something
     * else (the inline run's future) and then wants the ended task without reading it back.
     */
    EndWatch watchEnd(String taskId) {
        var waiter = new Waiter();
        waiters.computeIfAbsent(taskId, k -> new CopyOnWriteArrayList<>()).add(waiter);
        return new EndWatch(taskId, waiter);
    }

    /** A registration of {@link #watchEnd}; close it to stop watching. */
    final class EndWatch implements AutoCloseable {
        private final String taskId;
        private final Waiter waiter;

        private EndWatch(String taskId, Waiter waiter) {
            this.taskId = taskId;
            this.waiter = waiter;
        }

        /** The task, if this node ended it since the watch began. */
        Optional<Task> ended() {
            return Optional.ofNullable(waiter.ended);
        }

        /** The bytes of the ended task's files by key, as the run that ended it stored them; empty when it has not ended here. */
        Map<String, byte[]> outputs() {
            return waiter.ended == null ? Map.of() : waiter.outputs;
        }

        @Override
        public void close() {
            waiters.computeIfPresent(taskId, (k, list) -> {
                list.remove(waiter);
                return list.isEmpty() ? null : list;
            });
        }
    }

    // Shutdown: the requests that wait on tasks, and whether the node has started to stop.
    private final AtomicInteger held = new AtomicInteger();
    private volatile boolean draining;

    /** Marks a request that waits on tasks (wait mode, SSE) for {@link #drain}; close it when the response is written. */
    public Hold hold() {
        held.incrementAndGet();
        return held::decrementAndGet;
    }

    /** A request counted by {@link #hold}; closing it cannot fail. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** True once the node is shutting down: waits end early with the state of the moment, streams tell clients to reconnect. */
    public boolean draining() {
        return draining;
    }

    /**
     * Shutdown: wakes every waiter, so each wait-mode request answers the task's current state and each
     * stream ends, then waits up to {@code max} for those requests to finish writing.
     */
    public void drain(Duration max) throws InterruptedException {
        draining = true;
        waiters.values().forEach(list -> list.forEach(waiter -> waiter.signal.release()));
        long end = System.nanoTime() + max.toNanos();
        while (held.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }
}
