package dev.pictor.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes whoever waits on a task (wait mode, server-sent events, the OpenAI endpoints) when this node
 * changes it: claimed, progressed, ended. Changes made on another node are not seen here, so waiters
 * also re-read the task at a short interval; this only makes the common case immediate.
 */
public final class TaskEvents {
    private final Map<String, List<Semaphore>> waiters = new ConcurrentHashMap<>();
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
        List<Semaphore> list = waiters.get(taskId);
        if (list != null) {
            list.forEach(Semaphore::release);
        }
    }

    /** Waits until {@code taskId} changes on this node or {@code max} passes; true when it changed. */
    public boolean awaitChange(String taskId, Duration max) throws InterruptedException {
        var signal = new Semaphore(0);
        List<Semaphore> list = waiters.computeIfAbsent(taskId, k -> new CopyOnWriteArrayList<>());
        list.add(signal);
        try {
            return signal.tryAcquire(Math.max(0, max.toMillis()), TimeUnit.MILLISECONDS);
        } finally {
            list.remove(signal);
            waiters.computeIfPresent(taskId, (k, v) -> v.isEmpty() ? null : v);
        }
    }
}
