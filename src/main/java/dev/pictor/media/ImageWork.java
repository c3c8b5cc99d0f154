package dev.pictor.media;

import dev.pictor.common.Futures;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of platform threads for CPU-heavy image work (painting, encoding, decoding).
 *
 * <p>Why: a virtual thread that computes for tens of milliseconds holds its carrier all that time
 * (virtual threads are not preempted), and there are only as many carriers as cores. A few
 * paintings in flight then stall every HTTP request and the dispatcher's claim loop until they end
 * (submit to running measured 867 ms p50 at 100 tasks/s). Here the work runs on its own platform
 * threads, which the operating system time-slices with the carriers; the task's virtual thread
 * parks on the future and gives its carrier back.
 *
 * <p>Threads start on demand and end after 30 s without work, so an idle node (or a test
 * that starts many) holds none, and nothing needs closing.
 */
public final class ImageWork {
    private static final long IDLE_SECONDS = 30;

    /** Work that may throw a checked exception of its own, passed through unchanged. */
    @FunctionalInterface
    public interface Job<T, E extends Exception> {
        T run() throws E;
    }

    private final ThreadPoolExecutor pool;

    /** {@code threads}: at most this many jobs run at once (the core count is the natural choice). */
    public ImageWork(int threads) {
        this.pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("pictor-image-", 0).daemon(true).factory());
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** A pool with one thread per core. */
    public static ImageWork perCore() {
        return new ImageWork(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs {@code job} on the pool and waits for it; its exceptions come out as they were thrown.
     * When the waiting thread is interrupted (the task was cancelled or timed out), the job is
     * cancelled: it no longer starts if still queued, and a running one is interrupted. A job that
     * already runs is still waited for (uninterruptibly) before the interrupt is thrown, so what the
     * caller holds for it, such as a lease on the decode budget, is given back only once the work has
     * really stopped: a decode deaf to interrupts cannot slip out of the node's memory bound.
     */
    @SuppressWarnings("unchecked")
    public <T, E extends Exception> T run(Job<T, E> job) throws E, InterruptedException {
        var started = new java.util.concurrent.atomic.AtomicBoolean();
        var ended = new java.util.concurrent.CountDownLatch(1);
        Future<T> future = pool.submit(() -> {
            if (!started.compareAndSet(false, true)) {
                return null; // cancelled before it began
            }
            try {
                return job.run();
            } finally {
                ended.countDown();
            }
        });
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            if (!started.compareAndSet(false, true)) {
                awaitUninterruptibly(ended);
            }
            throw e;
        } catch (ExecutionException e) {
            throw (E) Futures.checkedCause(e);
        }
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
