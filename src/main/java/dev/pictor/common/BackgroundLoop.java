package dev.pictor.common;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats one round of background work on its own virtual thread. After a round that found work it
 * goes again at once, so a backlog drains without waiting; after a round that found none it waits
 * for the interval or for {@link #wake()}, whichever comes first. A round that throws is logged and
 * retried after the interval: the loops that keep tasks and webhooks moving must outlive a database
 * that is briefly away.
 */
public final class BackgroundLoop {
    private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

    private final String name;
    private final Duration interval;
    private final BooleanSupplier round;
    /** Holds at most one pending wake-up: many wakes during a round mean one more round, not many. */
    private final LinkedBlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>(1);
    private volatile boolean running;
    private Thread thread;

    /** @param round one round of work; returns whether it found any (and so whether to go again at once) */
    public BackgroundLoop(String name, Duration interval, BooleanSupplier round) {
        this.name = name;
        this.interval = interval;
        this.round = round;
    }

    public synchronized void start() {
        if (thread == null) {
            running = true;
            thread = Thread.ofVirtual().name(name).start(this::loop);
        }
    }

    /** Starts the next round now instead of after the interval. */
    public void wake() {
        wakeups.offer(Boolean.TRUE);
    }

    /**
     * Stops the loop: a wait ends at once, a round in progress is interrupted. Waits up to
     * {@code patience} for the thread to end.
     */
    public void stop(Duration patience) throws InterruptedException {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
        }
        if (stopping != null) {
            stopping.interrupt();
            stopping.join(patience);
        }
    }

    private void loop() {
        while (running) {
            boolean foundWork;
            try {
                foundWork = round.getAsBoolean();
            } catch (RuntimeException e) {
                if (!running) {
                    return; // interrupted by stop(); not a failure worth a warning
                }
                log.warn("{} round failed; retrying in {}", name, interval, e);
                foundWork = false;
            }
            if (!foundWork) {
                try {
                    wakeups.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
