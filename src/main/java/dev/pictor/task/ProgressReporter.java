package dev.pictor.task;

import dev.pictor.upstream.GenerationJob;
import java.util.concurrent.Executor;

/**
 * Writes progress to the database off the calling thread, sparingly: nothing in a task's first
 * 250 ms (a fast task needs no progress rows), then at most one write per 250 ms and never two at
 * once for one task. Bursts of progress updates on the task's own row would otherwise contend with
 * its claim and finish transactions. Writes run on {@code background}, not on the generation thread,
 * because that one gets interrupted when the task ends elsewhere.
 */
final class ProgressReporter implements GenerationJob.ProgressSink {
    private static final long INTERVAL_NANOS = 250_000_000L;
    private final TaskStore store;
    private final Executor background;
    private final String taskId;
    private long lastWriteNanos = System.nanoTime();
    private int lastWritten;
    private boolean writing;

    ProgressReporter(TaskStore store, Executor background, String taskId) {
        this.store = store;
        this.background = background;
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
