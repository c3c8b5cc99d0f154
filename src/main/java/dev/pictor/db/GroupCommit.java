package dev.pictor.db;

import dev.pictor.common.Futures;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Group commit: small write transactions from many callers (submits, above all) are folded into one
 * database transaction, and every caller is answered only after that transaction has committed, so
 * an answer still means durable.
 *
 * <p>Why: on H2 a commit re-serialises and writes every B-tree page the transaction touched
 * (WRITE_DELAY=0), and on PostgreSQL every commit is a WAL flush; both cost far more than the few
 * row writes of a submit. Profiles of the submit path had 47 % of its CPU in H2's commit.
 *
 * <p>How: each writer thread takes whatever work is waiting (up to {@code maxBatch}), runs it in one
 * transaction and commits. Nothing waits for company: an idle writer takes a lone caller at once, so
 * a quiet node answers as fast as before, and a busy one folds in whatever queued while the previous
 * commit ran. A unit that throws is rolled back alone and its caller gets the exception, while the
 * others commit: the batch is tried with nothing between its units, and if one of them fails it
 * runs again with each unit in a savepoint of its own ({@link #runBatch}). A failure of the
 * shared transaction itself (the commit, a lost connection, a deadlock) fails no one outright: every
 * unit of the batch then runs again alone, in a transaction of its own, as if grouping were off.
 *
 * <p>Lock order: units are run in the order of their {@code lockKey} (the tenant, then the key: the
 * rows a submit locks are its tenant's balance and its key's window counters). Batches on different
 * writers, or on different nodes, therefore take those rows in the same order and cannot deadlock
 * each other; a unit that takes one such row alone cannot close a cycle either.
 *
 * <p>A body must not wait on another transaction of this node's (it would wait on itself), and must
 * not call out of the process: it holds a whole batch's transaction while it runs.
 */
final class GroupCommit implements AutoCloseable {
    /** A unit of work, its place in the lock order, and its caller's answer. */
    private record Unit<T>(String lockKey, Jdbc.TransactionBody<T> body, CompletableFuture<T> answer) {
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Jdbc alone;
    private final int maxBatch;
    private final LinkedBlockingQueue<Unit<?>> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong rerunGuarded = new AtomicLong();
    private volatile boolean closed;

    private static final Unit<Void> STOP = new Unit<>("", tx -> null, new CompletableFuture<>());

    GroupCommit(DataSource dataSource, Dialect dialect, Jdbc alone, int writerCount, int maxBatch) {
        if (writerCount < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("group commit needs at least one writer and a batch of at least one");
        }
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.alone = alone;
        this.maxBatch = maxBatch;
        for (int i = 0; i < writerCount; i++) {
            // Platform threads: a writer spends its time in JDBC, and there are one or two of them.
            Thread writer = Thread.ofPlatform().daemon().name("pictor-group-commit-" + i).unstarted(this::write);
            writers.add(writer);
            writer.start();
        }
    }

    /** Runs {@code body} in a transaction shared with whatever else is waiting; returns once it has committed. */
    <T> T run(String lockKey, Jdbc.TransactionBody<T> body) {
        if (closed || writers.contains(Thread.currentThread())) {
            // A writer asking for a grouped transaction (from an after-commit action) would wait on itself.
            return alone.inTransaction(body);
        }
        var unit = new Unit<>(lockKey == null ? "" : lockKey, body, new CompletableFuture<T>());
        waiting.add(unit);
        return answer(unit.answer());
    }

    /** The caller waits for the commit even when interrupted: its work may already be durable. */
    private static <T> T answer(CompletableFuture<T> answer) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return answer.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new DataAccessException((SQLException) Futures.checkedCause(e));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Batches run after a failing unit that run guarded (each unit in a savepoint) before trying unguarded again. */
    private static final int GUARDED_AFTER_FAILURE = 16;

    /**
     * Batches run, units in them (their ratio is the mean batch size), and batches run a second time
     * guarded because a unit failed unguarded (for tests and the bench).
     */
    long[] counts() {
        return new long[] {batches.get(), units.get(), rerunGuarded.get()};
    }

    int waiting() {
        return waiting.size();
    }

    private void write() {
        List<Unit<?>> batch = new ArrayList<>(maxBatch);
        // After a batch with a failing unit, the next ones run guarded straight away: a client that
        // keeps failing (out of credits, say) would otherwise cost every batch it joins a second run.
        int guardedBatchesLeft = 0;
        while (true) {
            try {
                batch.add(waiting.take());
            } catch (InterruptedException e) {
                return;
            }
            waiting.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(STOP);
            try {
                if (!batch.isEmpty()) {
                    if (runBatch(batch, guardedBatchesLeft > 0)) {
                        guardedBatchesLeft = GUARDED_AFTER_FAILURE;
                    } else if (batch.size() > 1 && guardedBatchesLeft > 0) {
                        guardedBatchesLeft--;
                    }
                }
            } catch (Throwable t) {
                // An Error inside a body: its callers (and any left unanswered) get it; the writer goes on.
                for (Unit<?> unit : batch) {
                    unit.answer().completeExceptionally(t);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    /**
     * Runs a batch of several units in one transaction; returns whether one of them failed. Unguarded,
     * the units run one after another with nothing between them; guarded, each runs inside a savepoint
     * of its own. A savepoint costs a round trip on PostgreSQL, and a subtransaction (with an xid of
     * its own once it writes) on the server, so a batch is first tried unguarded: when every unit
     * succeeds, as nearly all do, that is the whole cost. When one fails, the transaction is rolled
     * back whole (on PostgreSQL it is unusable after a failed statement anyway) and the batch runs
     * again guarded, where the failing unit is rolled back alone.
     */
    private boolean runBatch(List<Unit<?>> batch, boolean guarded) {
        batches.incrementAndGet();
        units.addAndGet(batch.size());
        if (batch.size() == 1) {
            runAlone(batch.getFirst());
            return false;
        }
        batch.sort(Comparator.comparing(Unit::lockKey));
        boolean failedUnguarded = false;
        if (!guarded) {
            Outcome outcome = tryBatch(batch, false);
            if (outcome == Outcome.COMMITTED) {
                return false;
            }
            if (outcome == Outcome.LOST) {
                batch.forEach(this::runAlone);
                return false;
            }
            rerunGuarded.incrementAndGet();
            failedUnguarded = true;
        }
        Outcome outcome = tryBatch(batch, true);
        if (outcome == Outcome.LOST) {
            batch.forEach(this::runAlone);
        }
        return failedUnguarded || outcome == Outcome.COMMITTED_WITHOUT_SOME;
    }

    private enum Outcome {
        /** Committed, every unit succeeded; every caller has its answer. */
        COMMITTED,
        /** Guarded: committed what succeeded; every caller has its answer, one or more of them a failure. */
        COMMITTED_WITHOUT_SOME,
        /** Unguarded, a unit failed: everything was rolled back and no caller has been answered. */
        UNIT_FAILED,
        /** The shared transaction failed (a deadlock, the commit, the connection): nothing is durable, no caller answered. */
        LOST
    }

    private Outcome tryBatch(List<Unit<?>> batch, boolean guarded) {
        List<Object> results = new ArrayList<>(batch.size());
        List<Throwable> failures = new ArrayList<>(batch.size());
        int[] afterCommitEnds = new int[batch.size()];
        Jdbc.Tx tx;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            tx = new Jdbc.Tx(c, dialect);
            try {
                for (int i = 0; i < batch.size(); i++) {
                    Unit<?> unit = batch.get(i);
                    Savepoint savepoint = guarded ? c.setSavepoint() : null;
                    int afterCommitMark = tx.afterCommit.size();
                    try {
                        results.add(unit.body().run(tx));
                        failures.add(null);
                        // Not released: on PostgreSQL a release is one more round trip and frees nothing
                        // (the subtransaction's id stays with the transaction until it commits).
                        // Later savepoints nest inside it, and rolling back to one undoes only its unit.
                    } catch (SQLException | RuntimeException e) {
                        if (isTransactionLost(e)) {
                            throw e;
                        }
                        if (!guarded) {
                            c.rollback();
                            return Outcome.UNIT_FAILED;
                        }
                        c.rollback(savepoint);
                        tx.afterCommit.subList(afterCommitMark, tx.afterCommit.size()).clear();
                        results.add(null);
                        failures.add(e);
                    }
                    afterCommitEnds[i] = tx.afterCommit.size();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is going back to the pool broken; Hikari checks it
                }
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            // Every unit runs again alone, exactly as without grouping.
            return Outcome.LOST;
        }
        // Each unit's after-commit actions run as they would after its own commit; one that throws
        // fails its own caller (as it would alone), not the others.
        int start = 0;
        for (int i = 0; i < batch.size(); i++) {
            Throwable failure = failures.get(i);
            try {
                for (Runnable action : tx.afterCommit.subList(start, afterCommitEnds[i])) {
                    action.run();
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            start = afterCommitEnds[i];
            complete(batch.get(i), results.get(i), failure);
        }
        return failures.stream().allMatch(Objects::isNull) ? Outcome.COMMITTED : Outcome.COMMITTED_WITHOUT_SOME;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Unit<T> unit, Object result, Throwable failure) {
        if (failure != null) {
            unit.answer().completeExceptionally(failure);
        } else {
            unit.answer().complete((T) result);
        }
    }

    /** Times a unit running alone is tried again after a deadlock or serialization failure. */
    private static final int RETRIES_ALONE = 3;

    /**
     * Runs a unit in a transaction of its own. A deadlock is tried again (up to {@value #RETRIES_ALONE}
     * times): batches take the rows of several tenants, and a lone transaction can meet one in the
     * other order (a prepaid tenant whose keys have credit limits); the database breaks the cycle by
     * failing one side, which then simply runs again.
     */
    private <T> void runAlone(Unit<T> unit) {
        for (int attempt = 0; ; attempt++) {
            try {
                unit.answer().complete(alone.inTransaction(unit.body()));
                return;
            } catch (RuntimeException e) {
                if (attempt < RETRIES_ALONE && isDeadlock(e)) {
                    continue;
                }
                unit.answer().completeExceptionally(e);
                return;
            } catch (Error e) {
                unit.answer().completeExceptionally(e);
                return;
            }
        }
    }

    /** A deadlock or serialization failure (SQLSTATE class 40): the database undid the work, and it may simply run again. */
    private static boolean isDeadlock(Exception e) {
        return sqlState(e).startsWith("40");
    }

    /**
     * Failures after which the shared transaction cannot go on: a deadlock or serialization failure
     * (the database has rolled the transaction back or will refuse it), or a broken connection. Any
     * other error of a unit is its own, rolled back to its savepoint.
     */
    private static boolean isTransactionLost(Exception e) {
        String state = sqlState(e);
        return state.startsWith("40") || state.startsWith("08") || state.equals("HYT00");
    }

    /** The SQLSTATE of a failure (thrown as is, or wrapped in a {@link DataAccessException}); "" when it has none. */
    private static String sqlState(Exception e) {
        SQLException sql = e instanceof SQLException s ? s : e.getCause() instanceof SQLException s ? s : null;
        return sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < writers.size(); i++) {
            waiting.add(STOP);
        }
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // Anything that arrived between the flag and the stop runs alone.
        Unit<?> left;
        while ((left = waiting.poll()) != null) {
            if (left != STOP) {
                runAlone(left);
            }
        }
    }
}
