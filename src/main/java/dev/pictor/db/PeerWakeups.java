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
    /** An API key was revoked or edited: peers drop their cached key checks (auth/ApiKeys). */
    public static final String KEYS_CHANNEL = "pictor_keys";
    /** How long one wait for notifications blocks; also how long close() may take. */
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(PeerWakeups.class);

    private final DataSource dataSource;
    private final Runnable onWake;
    private final Runnable onKeyChange;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public PeerWakeups(DataSource dataSource, Runnable onWake) {
        this(dataSource, onWake, () -> { });
    }

    /**
     * @param onKeyChange run when a peer changed an API key, and also whenever the LISTEN connection
     *                    is (re)opened, since a change sent while it was down is lost
     */
    public PeerWakeups(DataSource dataSource, Runnable onWake, Runnable onKeyChange) {
        this.dataSource = dataSource;
        this.onWake = onWake;
        this.onKeyChange = onKeyChange;
        this.thread = Thread.ofVirtual().name("pictor-listen").start(this::listen);
    }

    private void listen() {
        while (running.get()) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
                s.execute("LISTEN " + KEYS_CHANNEL);
                onKeyChange.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running.get()) {
                    PGNotification[] notifications = pg.getNotifications((int) POLL.toMillis());
                    if (notifications != null && notifications.length > 0) {
                        boolean wake = false;
                        boolean keys = false;
                        for (PGNotification n : notifications) {
                            if (KEYS_CHANNEL.equals(n.getName())) {
                                keys = true;
                            } else {
                                wake = true;
                            }
                        }
                        if (keys) {
                            onKeyChange.run();
                        }
                        if (wake) {
                            onWake.run();
                        }
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
