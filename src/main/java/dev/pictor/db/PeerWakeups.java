package dev.pictor.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On PostgreSQL, lets a node learn at once that another node queued work: {@link TaskStore} sends
 * {@code NOTIFY pictor_queue} in the transaction that queues a task (in a submit, as {@code pg_notify}
 * inside the one statement that stores it; either is delivered at commit), and every
 * node LISTENs on one dedicated connection and wakes its dispatcher. Without it, peers would see new
 * work only at their next poll tick. Notifications are a hint, never the only path: the poll tick
 * still finds everything, so a lost connection costs latency, not tasks.
 */
public final class PeerWakeups implements AutoCloseable {
    public static final String CHANNEL = "pictor_queue";
    /** How long one wait for notifications blocks; also how long close() may take. */
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(PeerWakeups.class);

    private final DataSource dataSource;
    private final Runnable onWake;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public PeerWakeups(DataSource dataSource, Runnable onWake) {
        this.dataSource = dataSource;
        this.onWake = onWake;
        this.thread = Thread.ofVirtual().name("pictor-listen").start(this::listen);
    }

    private void listen() {
        while (running.get()) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running.get()) {
                    PGNotification[] notifications = pg.getNotifications((int) POLL.toMillis());
                    if (notifications != null && notifications.length > 0) {
                        onWake.run();
                    }
                }
            } catch (SQLException e) {
                if (running.get()) {
                    log.warn("LISTEN connection lost; peers' new work is found by polling until it is back", e);
                    sleepQuietly();
                }
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Stops listening. Not by interrupting: the driver answers an interrupt by breaking the connection. */
    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(POLL.multipliedBy(4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
