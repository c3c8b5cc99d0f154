package dev.pictor.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit on each database: batches form while a commit runs, a unit that throws is rolled
 * back alone, a lost shared transaction re-runs every unit alone, and after-commit actions run only
 * for what committed. The writer is held on a latch inside a first unit so that the batch that
 * follows has a known size (no timing assumptions).
 */
abstract class GroupCommitContract {
    abstract Database openDatabase();

    private Database database;
    private Jdbc jdbc;
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void open() {
        database = openDatabase();
        jdbc = database.jdbc();
        jdbc.update("CREATE TABLE gc_probe (id VARCHAR(20) PRIMARY KEY, n INT)");
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        database.close();
    }

    private List<String> ids() {
        return jdbc.query("SELECT id FROM gc_probe ORDER BY id", rs -> rs.getString(1));
    }

    /** Holds the writer inside a first batch until the returned latch opens; waits until it is held. */
    private CountDownLatch holdWriter(List<Future<?>> answers) throws InterruptedException {
        var held = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        answers.add(callers.submit(() -> jdbc.inGroupTransaction("hold", tx -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return tx.update("INSERT INTO gc_probe (id, n) VALUES ('hold', 0)");
        })));
        held.await();
        return release;
    }

    private Future<Integer> insertLater(String id) {
        return callers.submit(() -> jdbc.inGroupTransaction(id, tx -> tx.update("INSERT INTO gc_probe (id, n) VALUES (?, 1)", id)));
    }

    /** Waits until {@code units} callers wait in the writer's queue, behind the held batch. */
    private void awaitQueued(int units) {
        await().until(() -> jdbc.groupCommitWaiting() == units);
    }

    private Future<Integer> insertCounted(String id) {
        return insertLater(id);
    }

    @Test
    void callersArrivingDuringACommitShareTheNextOne() throws Exception {
        List<Future<?>> answers = new ArrayList<>();
        CountDownLatch release = holdWriter(answers);
        long[] before = jdbc.groupCommitCounts();
        for (int i = 0; i < 20; i++) {
            answers.add(insertCounted("u" + (100 + i)));
        }
        awaitQueued(20);
        // The queued callers are only queued, not committed: nothing of theirs is visible yet.
        assertThat(ids()).isEmpty();
        release.countDown();
        for (Future<?> answer : answers) {
            assertThat(answer.get()).isEqualTo(1);
        }
        assertThat(ids()).hasSize(21);
        long[] after = jdbc.groupCommitCounts();
        // The hold's batch was counted before; the 20 that queued behind it committed as one batch.
        assertThat(after[0] - before[0]).isEqualTo(1);
        assertThat(after[1] - before[1]).isEqualTo(20);
        assertThat(after[2] - before[2]).as("a batch whose units all succeed runs once").isZero();
    }

    @Test
    void aUnitThatThrowsIsRolledBackAloneAndItsCallerGetsTheException() throws Exception {
        List<Future<?>> answers = new ArrayList<>();
        CountDownLatch release = holdWriter(answers);
        var afterCommit = new CopyOnWriteArrayList<String>();
        Future<Integer> good1 = insertCounted("a1");
        Future<Object> bad = callers.submit(() -> {
            return jdbc.inGroupTransaction("a2", tx -> {
                tx.update("INSERT INTO gc_probe (id, n) VALUES ('a2', 1)");
                tx.afterCommit(() -> afterCommit.add("a2"));
                throw new IllegalStateException("refused by the unit");
            });
        });
        // A statement that fails in the database (a duplicate key): on PostgreSQL only a savepoint keeps
        // the shared transaction usable after it.
        Future<Integer> duplicate = callers.submit(() -> {
            return jdbc.inGroupTransaction("a3", tx -> {
                tx.update("INSERT INTO gc_probe (id, n) VALUES ('a3', 1)");
                tx.afterCommit(() -> afterCommit.add("a3"));
                return tx.update("INSERT INTO gc_probe (id, n) VALUES ('a3', 2)");
            });
        });
        Future<Integer> good2 = callers.submit(() -> {
            return jdbc.inGroupTransaction("a4", tx -> {
                tx.afterCommit(() -> afterCommit.add("a4"));
                return tx.update("INSERT INTO gc_probe (id, n) VALUES ('a4', 1)");
            });
        });
        awaitQueued(4);
        release.countDown();
        assertThat(good1.get()).isEqualTo(1);
        assertThat(good2.get()).isEqualTo(1);
        assertThatThrownBy(bad::get).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("refused by the unit");
        assertThatThrownBy(duplicate::get).hasCauseInstanceOf(DataAccessException.class);
        assertThat(ids()).containsExactly("a1", "a4", "hold");
        assertThat(afterCommit).containsExactly("a4");
        assertThat(jdbc.groupCommitCounts()[2]).as("tried unguarded, then again with savepoints").isEqualTo(1);
    }

    /** Holds the writer, queues {@code good} inserts and (when {@code failing}) one that fails in the database, then lets the batch run. */
    private void batchOf(String prefix, int good, boolean failing) throws Exception {
        List<Future<?>> answers = new ArrayList<>();
        CountDownLatch release = holdWriter(answers);
        for (int i = 0; i < good; i++) {
            answers.add(insertLater(prefix + i));
        }
        Future<Integer> duplicate = failing
                ? callers.submit(() -> jdbc.inGroupTransaction(prefix + "x", tx -> tx.update("INSERT INTO gc_probe (id, n) VALUES ('hold', 9)")))
                : null;
        awaitQueued(good + (failing ? 1 : 0));
        release.countDown();
        for (Future<?> answer : answers) {
            answer.get();
        }
        if (duplicate != null) {
            assertThatThrownBy(duplicate::get).hasCauseInstanceOf(DataAccessException.class);
        }
        jdbc.update("DELETE FROM gc_probe WHERE id = 'hold'");
    }

    @Test
    void afterAFailingUnitTheNextBatchesRunGuardedStraightAwayAndLaterOnesUnguardedAgain() throws Exception {
        batchOf("f", 3, true);
        assertThat(jdbc.groupCommitCounts()[2]).isEqualTo(1);
        // Straight after, a batch with a failing unit runs once, guarded: no second run.
        batchOf("g", 3, true);
        assertThat(jdbc.groupCommitCounts()[2]).isEqualTo(1);
        // Sixteen clean batches later, batches are tried unguarded again.
        for (int i = 0; i < 16; i++) {
            batchOf("h" + (char) ('a' + i), 2, false);
        }
        batchOf("k", 3, true);
        assertThat(jdbc.groupCommitCounts()[2]).isEqualTo(2);
        assertThat(ids()).hasSize(3 + 3 + 16 * 2 + 3);
    }

    @Test
    void aLostSharedTransactionRunsEveryUnitAgainAlone() throws Exception {
        List<Future<?>> answers = new ArrayList<>();
        CountDownLatch release = holdWriter(answers);
        var runs = new AtomicInteger();
        Future<Integer> first = insertCounted("b1");
        // A unit that meets a deadlock the first time it runs (as a batch member), and not when alone.
        Future<Integer> deadlocked = callers.submit(() -> {
            return jdbc.inGroupTransaction("b2", tx -> {
                tx.update("INSERT INTO gc_probe (id, n) VALUES ('b2', 1)");
                if (runs.incrementAndGet() == 1) {
                    throw new SQLException("deadlock detected", "40P01");
                }
                return 1;
            });
        });
        Future<Integer> third = insertCounted("b3");
        awaitQueued(3);
        release.countDown();
        assertThat(first.get()).isEqualTo(1);
        assertThat(deadlocked.get()).isEqualTo(1);
        assertThat(third.get()).isEqualTo(1);
        assertThat(runs.get()).isEqualTo(2);
        // Each row exactly once: the rolled-back batch left nothing behind.
        assertThat(ids()).containsExactly("b1", "b2", "b3", "hold");
    }

    @Test
    void aLoneUnitChosenAsADeadlockVictimRunsAgainButAnOrdinaryFailureDoesNot() {
        var runs = new AtomicInteger();
        int inserted = jdbc.inGroupTransaction("d", tx -> {
            tx.update("INSERT INTO gc_probe (id, n) VALUES ('d', 1)");
            if (runs.incrementAndGet() < 3) {
                throw new SQLException("deadlock detected", "40P01");
            }
            return 1;
        });
        assertThat(inserted).isEqualTo(1);
        assertThat(runs.get()).isEqualTo(3);
        assertThat(ids()).containsExactly("d");

        var failures = new AtomicInteger();
        assertThatThrownBy(() -> jdbc.inGroupTransaction("e", tx -> {
            failures.incrementAndGet();
            throw new SQLException("value too long", "22001");
        })).isInstanceOf(DataAccessException.class);
        assertThat(failures.get()).isEqualTo(1);
    }

    @Test
    void afterCloseCallersCommitAlone() {
        jdbc.close();
        int inserted = jdbc.inGroupTransaction("c", tx -> tx.update("INSERT INTO gc_probe (id, n) VALUES ('c', 1)"));
        assertThat(inserted).isEqualTo(1);
        assertThat(ids()).containsExactly("c");
    }

    @Test
    void manyConcurrentCallersAllCommitOnce() throws Exception {
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            answers.add(insertLater("m" + (1000 + i)));
        }
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isEqualTo(1);
        }
        assertThat(ids()).hasSize(300);
    }
}
