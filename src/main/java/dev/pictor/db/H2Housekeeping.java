package dev.pictor.db;

import dev.pictor.common.BackgroundLoop;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Keeps the embedded H2 file from growing without bound: the chunk rewriting that H2's own
 * background writer would do, run on a loop of Pictor's.
 *
 * <p>Why it is needed: H2 writes each commit as a new chunk of the file and frees a chunk only once
 * every page in it has been replaced. A finished task's rows and index entries never change again,
 * so nearly every chunk keeps a few live pages forever, and the file grew by 13-16 KB a task
 * under load (9.7 GB after 638,000 tasks) while the live data stayed a small part of it. H2 moves
 * such pages out of mostly dead chunks in its background writer thread, but that thread exists only
 * with a non-zero {@code WRITE_DELAY}, and Pictor needs {@code WRITE_DELAY=0} so that a commit is
 * on disk before the client hears about it (H2 issue #442 describes the same gap).
 *
 * <p>Each round asks H2 to rewrite the live pages of its emptiest chunks older than the retention
 * time, up to {@link #writeLimitBytes} of them, when the chunks' fill rate is below
 * {@link #TARGET_FILL_RATE}, and commits that rewrite (the old chunks are freed once the retention
 * time has passed, and the file reuses their space). It never blocks a writer for long: H2 takes its
 * store lock only with a 10 ms timeout here and skips the round otherwise. The file keeps its
 * largest size (freed space is reused, not given back); {@code SHUTDOWN COMPACT} on a stopped node
 * shrinks it (docs/deploy.md).
 *
 * <p>This reaches into H2's engine classes ({@code SessionLocal}, {@code MVStore}), public but not
 * a documented API; the H2 version is pinned, and {@code H2HousekeepingTest} fails if an upgrade
 * changes them.
 */
final class H2Housekeeping {
    /** Below this share of live data in the file's chunks, a round rewrites (H2's own default is 90 idle, 81 busy). */
    static final int TARGET_FILL_RATE = 80;

    private final DataSource dataSource;
    private final int writeLimitBytes;
    private final BackgroundLoop loop;

    H2Housekeeping(DataSource dataSource, Duration interval, int writeLimitBytes) {
        this.dataSource = dataSource;
        this.writeLimitBytes = writeLimitBytes;
        this.loop = new BackgroundLoop("pictor-h2-housekeeping", interval, () -> {
            round();
            return false; // at most one round an interval: its cost lands on a busy node's commits
        });
    }

    void start() {
        loop.start();
    }

    void stop() throws InterruptedException {
        loop.stop(Duration.ofSeconds(5));
    }

    /** One round; returns whether H2 rewrote any chunk. */
    boolean round() {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = mvStore(c);
            if (store.isClosed() || store.getFileStore() == null) {
                return false;
            }
            boolean rewrote = store.compact(TARGET_FILL_RATE, writeLimitBytes);
            if (rewrote) {
                store.commit(); // the rewritten pages go into a chunk now, not with the next task's commit
            }
            return rewrote;
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /** The share of live data in the file's chunks, in percent (read by the test; no metric exports it). */
    int chunksFillRate() {
        try (Connection c = dataSource.getConnection()) {
            return mvStore(c).getFileStore().getChunksFillRate();
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    private static MVStore mvStore(Connection c) throws SQLException {
        var session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
        return session.getDatabase().getStore().getMvStore();
    }
}
