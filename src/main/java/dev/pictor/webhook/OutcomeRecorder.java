package dev.pictor.webhook;

import dev.pictor.common.BackgroundLoop;
import dev.pictor.common.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Group commit for delivery outcomes: senders hand in finished attempts and wait; one loop writes
 * everything handed in since its last write in one transaction ({@link WebhookStore#recordAll}).
 * When idle it writes at once, so a lone delivery waits for no one; under load the outcomes that
 * finish while one write runs go together in the next.
 *
 * <p>Nothing is acknowledged before it is committed: a sender learns "recorded" or "lease lost" only
 * after the commit, and until then its event's queue row keeps this node's lease (renewed by the
 * heartbeat while the sender waits). If the node dies first, the lease runs out and the event is
 * delivered again by whoever claims it; receivers deduplicate by webhook-id.
 */
final class OutcomeRecorder {
    private final WebhookStore store;
    private final BackgroundLoop loop;
    private final Object lock = new Object();
    private List<Pending> handedIn = new ArrayList<>();
    private boolean stopped;

    private record Pending(WebhookStore.Outcome outcome, CompletableFuture<Boolean> recorded) {
    }

    OutcomeRecorder(WebhookStore store) {
        this.store = store;
        // The interval only matters if a wake-up were lost; every hand-in wakes the loop.
        this.loop = new BackgroundLoop("pictor-webhooks-record", Duration.ofSeconds(1), this::flush);
    }

    void start() {
        loop.start();
    }

    /** Stops the loop; outcomes not yet written stay unrecorded and their events are delivered again after the lease. */
    void stop() throws InterruptedException {
        loop.stop(Duration.ofSeconds(10));
        List<Pending> left;
        synchronized (lock) {
            stopped = true;
            left = handedIn;
            handedIn = new ArrayList<>();
        }
        left.forEach(p -> p.recorded().completeExceptionally(new IllegalStateException("webhook dispatcher stopped before recording")));
    }

    /**
     * Hands in an outcome and waits until it is committed. True when recorded, false when the lease
     * had been lost to another worker.
     *
     * @throws RuntimeException when the write failed (the event stays leased, then is claimed again)
     * @throws InterruptedException when the wait was interrupted (the outcome may or may not be written)
     */
    boolean record(WebhookStore.Outcome outcome) throws InterruptedException {
        var pending = new Pending(outcome, new CompletableFuture<>());
        synchronized (lock) {
            if (stopped) {
                throw new IllegalStateException("webhook dispatcher stopped before recording");
            }
            handedIn.add(pending);
        }
        loop.wake();
        try {
            return pending.recorded().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(Futures.checkedCause(e));
        }
    }

    /** How many outcomes wait for the next write. */
    int waiting() {
        synchronized (lock) {
            return handedIn.size();
        }
    }

    /** Writes what was handed in; true when there was something (the loop goes again at once). */
    boolean flush() {
        List<Pending> batch;
        synchronized (lock) {
            if (handedIn.isEmpty()) {
                return false;
            }
            batch = handedIn;
            handedIn = new ArrayList<>();
        }
        try {
            List<Boolean> recorded = store.recordAll(batch.stream().map(Pending::outcome).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).recorded().complete(recorded.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(p -> p.recorded().completeExceptionally(e));
        }
        return true;
    }
}
