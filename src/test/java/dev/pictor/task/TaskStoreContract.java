package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.db.Database;
import dev.pictor.storage.StoredFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the task store promises, run unchanged against every database Pictor supports. Times are
 * passed in explicitly, so lease expiry and deadlines are tested without waiting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskStoreContract {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final List<String> SANDBOX = List.of("sandbox");

    private Database database;
    private TaskStore store;
    private final TaskIds ids = new TaskIds();

    abstract Database openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new TaskStore(database.jdbc(), TaskStore.TerminalListener.NONE, new TaskEvents());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void empty() {
        database.jdbc().update("DELETE FROM task_queue");
        database.jdbc().update("DELETE FROM task");
    }

    private Task submit(String tenant, Instant at, String provider) {
        return store.insert(new NewTask(ids.next(at), tenant, "z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}", null, provider, at,
                at.plus(Duration.ofMinutes(10))));
    }

    @Test
    void tasksAreVisibleOnlyToTheirTenant() {
        Task t = submit("a", T0, "sandbox");
        assertThat(store.find("a", t.id())).get().extracting(Task::status).isEqualTo(TaskStatus.NOT_STARTED);
        assertThat(store.find("b", t.id())).isEmpty();
        assertThat(store.list("a", null, null, null, null, null, 10)).hasSize(1);
    }

    @Test
    void aClaimLeasesTheTaskAndMarksItRunning() {
        Task t = submit("a", T0, "sandbox");
        List<Claim> claims = store.claim("node-1", SANDBOX, 10, T0.plusSeconds(1), LEASE);
        assertThat(claims).hasSize(1);
        assertThat(claims.getFirst().attempt()).isEqualTo(1);
        assertThat(claims.getFirst().task().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(claims.getFirst().task().startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.claim("node-2", SANDBOX, 10, T0.plusSeconds(2), LEASE)).isEmpty();
        assertThat(store.find("a", t.id()).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void claimsComeInSubmitOrderAndOnlyForTheAskedProviders() {
        Task first = submit("a", T0, "sandbox");
        Task other = submit("a", T0, "openai");
        Task second = submit("a", T0, "sandbox");
        List<Claim> claims = store.claim("n", SANDBOX, 10, T0, LEASE);
        assertThat(claims).extracting(Claim::taskId).containsExactly(first.id(), second.id());
        assertThat(store.claim("n", List.of("openai"), 10, T0, LEASE)).extracting(Claim::taskId).containsExactly(other.id());
    }

    @Test
    void tasksPutBackToWaitAreClaimedBeforeFreshOnesEachOldestDueFirstAndQueuePositionsAgree() {
        Task polled = submit("a", T0, "sandbox");
        Task retried = submit("a", T0, "sandbox");
        Claim poll = store.claim("n", SANDBOX, 1, T0, LEASE).getFirst();
        Claim retry = store.claim("n", SANDBOX, 1, T0, LEASE).getFirst();
        assertThat(List.of(poll.taskId(), retry.taskId())).containsExactly(polled.id(), retried.id());
        assertThat(store.awaitUpstream(poll, "job-1", 10, T0.plusSeconds(20))).isTrue();
        assertThat(store.retryLater(retry, T0.plusSeconds(10), new RouteLogEntry(T0, "sandbox", 1, ErrorCode.UPSTREAM_ERROR, "HTTP 503"))).isTrue();
        Task fresh = submit("a", T0.plusSeconds(1), "sandbox");
        Task newer = submit("a", T0.plusSeconds(2), "sandbox");

        Instant before = T0.plusSeconds(5); // neither put-back is due yet
        assertThat(store.queuePosition(fresh.id(), before)).hasValue(0L);
        assertThat(store.queuePosition(retried.id(), before)).isEmpty();
        Instant later = T0.plusSeconds(30);
        assertThat(store.queuePosition(retried.id(), later)).hasValue(0L);
        assertThat(store.queuePosition(polled.id(), later)).hasValue(1L);
        assertThat(store.queuePosition(fresh.id(), later)).hasValue(2L);
        assertThat(store.queuePosition(newer.id(), later)).hasValue(3L);
        assertThat(store.claim("n", SANDBOX, 3, later, LEASE)).extracting(Claim::taskId).containsExactly(retried.id(), polled.id(), fresh.id());
        assertThat(store.claim("n", SANDBOX, 3, later, LEASE)).extracting(Claim::taskId).containsExactly(newer.id());
    }

    @Test
    void rowsWaitingForALaterPollNeitherHideFreshTasksNorTakeAClaimsRoom() {
        for (int i = 0; i < 40; i++) {
            submit("a", T0, "sandbox");
            Claim c = store.claim("n", SANDBOX, 1, T0, LEASE).getFirst();
            assertThat(store.awaitUpstream(c, "job-" + i, 0, T0.plusSeconds(60))).isTrue();
        }
        Task first = submit("a", T0.plusSeconds(1), "sandbox");
        Task second = submit("a", T0.plusSeconds(2), "sandbox");
        assertThat(store.claim("n", SANDBOX, 2, T0.plusSeconds(3), LEASE)).extracting(Claim::taskId).containsExactly(first.id(), second.id());
        assertThat(store.claim("n", SANDBOX, 100, T0.plusSeconds(30), LEASE)).isEmpty();
        // At 60 s the polls are due, and so (since 33 s) are the two leases nobody renewed: the polls go first.
        assertThat(store.claim("n", SANDBOX, 40, T0.plusSeconds(60), LEASE)).hasSize(40)
                .allSatisfy(c -> assertThat(c.task().upstreamRef()).startsWith("job-"));
        assertThat(store.claim("n", SANDBOX, 40, T0.plusSeconds(60), LEASE)).extracting(Claim::taskId).containsExactly(first.id(), second.id());
    }

    @Test
    void concurrentClaimersNeverShareATask() throws Exception {
        int tasks = 200;
        for (int i = 0; i < tasks; i++) {
            submit("a", T0, "sandbox");
        }
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
        int workers = 8;
        var done = new CountDownLatch(workers);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                String owner = "node-" + w;
                pool.execute(() -> {
                    try {
                        List<Claim> batch;
                        do {
                            batch = store.claim(owner, SANDBOX, 7, T0, LEASE);
                            for (Claim c : batch) {
                                if (!claimed.add(c.taskId())) {
                                    duplicates.add(c.taskId());
                                }
                            }
                        } while (!batch.isEmpty());
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(duplicates).isEmpty();
        assertThat(claimed).hasSize(tasks);
    }

    @Test
    void claimsRacingTerminalWritesNeverDeadlockAndEachTaskEndsOnce() throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            tasks.add(submit("a", T0, "sandbox"));
        }
        var ended = ConcurrentHashMap.<String>newKeySet();
        var errors = java.util.Collections.synchronizedList(new ArrayList<Throwable>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 4; w++) {
                String owner = "claimer-" + w;
                pool.execute(() -> {
                    try {
                        List<Claim> batch;
                        do {
                            batch = store.claim(owner, SANDBOX, 5, T0, LEASE);
                            for (Claim c : batch) {
                                if (store.finish(c, "sandbox", List.of(file(c.task())), T0) && !ended.add(c.taskId())) {
                                    errors.add(new AssertionError("ended twice: " + c.taskId()));
                                }
                            }
                        } while (!batch.isEmpty());
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                });
            }
            for (Task t : tasks) {
                pool.execute(() -> {
                    try {
                        if (store.failUnclaimed(t.id(), ErrorCode.CANCELLED, "cancel", T0) && !ended.add(t.id())) {
                            errors.add(new AssertionError("ended twice: " + t.id()));
                        }
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                });
            }
        }
        assertThat(errors).isEmpty();
        assertThat(ended).hasSize(100);
        for (Task t : tasks) {
            assertThat(store.find("a", t.id()).orElseThrow().status().isTerminal()).isTrue();
        }
    }

    @Test
    void anExpiredLeaseIsClaimedAgainAndTheOldOwnerIsFencedOut() {
        Task t = submit("a", T0, "sandbox");
        Claim dead = store.claim("dead-node", SANDBOX, 1, T0, LEASE).getFirst();
        assertThat(store.claim("node-2", SANDBOX, 1, T0.plusSeconds(29), LEASE)).isEmpty();

        List<Claim> recovered = store.claim("node-2", SANDBOX, 1, T0.plusSeconds(31), LEASE);
        assertThat(recovered).hasSize(1);
        Claim next = recovered.getFirst();
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.task().startedAt()).isEqualTo(T0);

        assertThat(store.finish(dead, "sandbox", List.of(file(t)), T0.plusSeconds(32))).isFalse();
        assertThat(store.find("a", t.id()).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(store.finish(next, "sandbox", List.of(file(t)), T0.plusSeconds(33))).isTrue();
        Task done = store.find("a", t.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStatus.FINISHED);
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.files()).containsExactly(file(t));
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(33));
    }

    @Test
    void aTaskStoredLeasedRunsAtOnceAndIsRecoveredLikeAnyClaimWhenItsNodeDies() {
        var task = new NewTask(ids.next(T0), "a", "z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}", null, "sandbox", T0,
                T0.plus(Duration.ofMinutes(10)));
        var lease = new TaskStore.Lease("node-1", store.leaseToken(), T0.plus(LEASE));
        TaskStore.LeasedInsertion inserted = store.insertLeased(task, null, lease);
        Claim inline = inserted.claim();
        assertThat(inline.attempt()).isEqualTo(1);
        assertThat(inline.task().status()).isEqualTo(TaskStatus.RUNNING);
        Task stored = store.find("a", task.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(stored.startedAt()).isEqualTo(T0);
        assertThat(store.heldBy("node-1")).containsExactly(task.id());
        assertThat(store.queuePosition(task.id(), T0)).isEmpty();
        assertThat(store.claim("node-2", SANDBOX, 10, T0.plusSeconds(29), LEASE)).isEmpty();

        List<Claim> recovered = store.claim("node-2", SANDBOX, 10, T0.plusSeconds(31), LEASE);
        assertThat(recovered).hasSize(1);
        assertThat(recovered.getFirst().attempt()).isEqualTo(2);
        assertThat(store.finish(inline, "sandbox", List.of(), T0.plusSeconds(32))).isFalse();
        assertThat(store.finish(recovered.getFirst(), "sandbox", List.of(), T0.plusSeconds(33))).isTrue();
    }

    @Test
    void aTaskStoredLeasedEndsInOneWriteAndAReplayedKeyClaimsNothing() {
        var task = new NewTask(ids.next(T0), "a", "z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}", null, "sandbox", T0,
                T0.plus(Duration.ofMinutes(10)));
        var key = new TaskStore.IdempotencyKey("k-" + task.id(), "hash", T0.minusSeconds(60));
        Claim inline = store.insertLeased(task, key, new TaskStore.Lease("node-1", store.leaseToken(), T0.plus(LEASE))).claim();
        assertThat(store.finish(inline, "sandbox", List.of(), T0.plusSeconds(1))).isTrue();
        assertThat(store.find("a", task.id()).orElseThrow().status()).isEqualTo(TaskStatus.FINISHED);
        assertThat(store.heldBy("node-1")).isEmpty();

        var again = new NewTask(ids.next(T0), "a", "z-image", "{}", null, "sandbox", T0, T0.plus(Duration.ofMinutes(10)));
        TaskStore.LeasedInsertion replay = store.insertLeased(again, key, new TaskStore.Lease("node-1", store.leaseToken(), T0.plus(LEASE)));
        assertThat(replay.claim()).isNull();
        assertThat(replay.insertion().replayed()).isTrue();
        assertThat(replay.insertion().task().id()).isEqualTo(task.id());
        assertThat(store.find("a", again.id())).isEmpty();
    }

    @Test
    void renewedLeasesDoNotExpire() {
        submit("a", T0, "sandbox");
        store.claim("node-1", SANDBOX, 1, T0, LEASE);
        assertThat(store.renewLeases("node-1", T0.plusSeconds(20).plus(LEASE))).isEqualTo(1);
        assertThat(store.claim("node-2", SANDBOX, 1, T0.plusSeconds(31), LEASE)).isEmpty();
        assertThat(store.claim("node-2", SANDBOX, 1, T0.plusSeconds(51), LEASE)).hasSize(1);
    }

    @Test
    void aRenewalPassesOverARowAnotherTransactionHoldsInsteadOfWaitingForIt() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("a", T0.plusMillis(i), "sandbox").id());
        }
        assertThat(store.claim("node-1", SANDBOX, 3, T0.plusSeconds(1), LEASE)).hasSize(3);
        try (var holder = database.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (var lock = holder.prepareStatement("UPDATE task_queue SET attempts = attempts WHERE task_id = ?")) {
                lock.setString(1, ids.get(1));
                assertThat(lock.executeUpdate()).isEqualTo(1);
            }
            // Waiting for that lock would block this renewal until the holder ends (H2 gives up after its 2 s lock timeout).
            var renewal = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.renewLeases("node-1", T0.plusSeconds(50).plus(LEASE)));
            assertThat(renewal.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            holder.rollback();
        }
        // The row passed over kept its old lease, which has run out by now; the other two have not.
        assertThat(store.claim("node-2", SANDBOX, 3, T0.plusSeconds(40), LEASE)).extracting(Claim::taskId).containsExactly(ids.get(1));
        assertThat(store.renewLeases("node-1", T0.plusSeconds(60).plus(LEASE))).isEqualTo(2);
    }

    @Test
    void aTaskEndsExactlyOnce() {
        Task t = submit("a", T0, "sandbox");
        Claim c = store.claim("n", SANDBOX, 1, T0, LEASE).getFirst();
        assertThat(store.finish(c, "sandbox", List.of(file(t)), T0.plusSeconds(1))).isTrue();
        assertThat(store.failUnclaimed(t.id(), ErrorCode.TIMEOUT, "late", T0.plusSeconds(2))).isFalse();
        assertThat(store.fail(c, ErrorCode.UPSTREAM_ERROR, "late", T0.plusSeconds(2))).isFalse();
        Task done = store.find("a", t.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStatus.FINISHED);
        assertThat(done.errorCode()).isNull();
    }

    @Test
    void overdueTasksOfBothOpenStatusesComeOldestDeadlineFirstUpToTheLimit() {
        Task runningFirst = submit("a", T0, "sandbox");
        store.claim("n", SANDBOX, 1, T0, LEASE);
        Task queuedSecond = submit("a", T0.plus(Duration.ofMinutes(1)), "sandbox");
        Task runningThird = submit("a", T0.plus(Duration.ofMinutes(2)), "other");
        store.claim("n", List.of("other"), 1, T0.plus(Duration.ofMinutes(2)), LEASE);
        Task notYetDue = submit("a", T0.plus(Duration.ofMinutes(3)), "sandbox");
        Instant now = T0.plus(Duration.ofMinutes(12)).plusSeconds(30);
        assertThat(store.find("a", runningThird.id())).get().extracting(Task::status).isEqualTo(TaskStatus.RUNNING);
        assertThat(store.overdueTaskIds(now, 10)).containsExactly(runningFirst.id(), queuedSecond.id(), runningThird.id())
                .doesNotContain(notYetDue.id());
        assertThat(store.overdueTaskIds(now, 2)).containsExactly(runningFirst.id(), queuedSecond.id());
    }

    @Test
    void overdueTasksAreFailedWithTimeoutAndLeaveTheQueue() {
        Task queued = submit("a", T0, "sandbox");
        Task running = submit("a", T0, "sandbox");
        store.claim("n", SANDBOX, 1, T0, LEASE);
        Instant late = T0.plus(Duration.ofMinutes(11));
        assertThat(store.overdueTaskIds(late, 10)).containsExactlyInAnyOrder(queued.id(), running.id());
        for (String id : store.overdueTaskIds(late, 10)) {
            assertThat(store.failUnclaimed(id, ErrorCode.TIMEOUT, "deadline", late)).isTrue();
        }
        Task failed = store.find("a", running.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(store.claim("n", SANDBOX, 10, late.plus(Duration.ofHours(1)), LEASE)).isEmpty();
        assertThat(store.overdueTaskIds(late, 10)).isEmpty();
    }

    @Test
    void aReleasedTaskWaitsUntilItIsDueAgain() {
        submit("a", T0, "sandbox");
        Claim c = store.claim("n", SANDBOX, 1, T0, LEASE).getFirst();
        assertThat(store.release(c, T0.plusSeconds(10))).isTrue();
        assertThat(store.claim("n", SANDBOX, 1, T0.plusSeconds(9), LEASE)).isEmpty();
        assertThat(store.claim("n", SANDBOX, 1, T0.plusSeconds(10), LEASE)).extracting(Claim::attempt).containsExactly(2);
        assertThat(store.release(c, T0)).as("stale token").isFalse();
    }

    @Test
    void retriesAndRouteSwitchesAppendToTheRouteLogAsTypedEntries() {
        Task task = submit("t1", T0, "sandbox");
        assertThat(store.find("t1", task.id()).orElseThrow().routeLog()).isEmpty();
        var first = new RouteLogEntry(T0, "sandbox", 1, ErrorCode.UPSTREAM_ERROR, "HTTP 503 from sandbox");
        assertThat(store.retryLater(store.claim("n", SANDBOX, 1, T0, LEASE).getFirst(), T0.plusSeconds(1), first)).isTrue();
        var second = new RouteLogEntry(T0.plusSeconds(1), "sandbox", 2, ErrorCode.TIMEOUT, null);
        Claim retried = store.claim("n", SANDBOX, 1, T0.plusSeconds(1), LEASE).getFirst();
        assertThat(retried.task().routeLog()).containsExactly(first);
        assertThat(store.switchRoute(retried, "openai", 1, T0.plusSeconds(2), second)).isTrue();
        Task moved = store.find("t1", task.id()).orElseThrow();
        assertThat(moved.routeLog()).containsExactly(first, second);
        assertThat(moved.upstream()).isEqualTo("openai");
        assertThat(moved.routeIndex()).isEqualTo(1);
    }

    @Test
    void theRouteLogKeepsItsNewestEntriesWithinItsBudget() {
        Task task = submit("t1", T0, "sandbox");
        Instant at = T0;
        for (int i = 1; i <= 60; i++) {
            Claim c = store.claim("n", SANDBOX, 1, at, LEASE).getFirst();
            store.retryLater(c, at, new RouteLogEntry(at, "sandbox", i, ErrorCode.UPSTREAM_ERROR, "e".repeat(290) + i));
            at = at.plusSeconds(1);
        }
        List<RouteLogEntry> log = store.find("t1", task.id()).orElseThrow().routeLog();
        assertThat(log.size()).isBetween(30, 59);
        assertThat(log.getLast().attempt()).isEqualTo(60);
        assertThat(log.getFirst().attempt()).isEqualTo(60 - log.size() + 1);
    }

    @Test
    void progressOnlyMovesForward() {
        Task t = submit("a", T0, "sandbox");
        store.claim("n", SANDBOX, 1, T0, LEASE);
        store.updateProgress(t.id(), 40);
        store.updateProgress(t.id(), 20);
        assertThat(store.find("a", t.id()).orElseThrow().progress()).isEqualTo(40);
    }

    @Test
    void endedTasksExpireAfterRetentionAndCountsAreReported() {
        Task old = submit("a", T0, "sandbox");
        Task fresh = submit("a", T0, "sandbox");
        store.failUnclaimed(old.id(), ErrorCode.CANCELLED, "x", T0.plusSeconds(1));
        store.failUnclaimed(fresh.id(), ErrorCode.CANCELLED, "x", T0.plusSeconds(100));
        assertThat(store.expiredTasks(T0.plusSeconds(50), 10)).extracting(Task::id).containsExactly(old.id());
        store.delete(old.id());
        assertThat(store.find("a", old.id())).isEmpty();
        assertThat(store.countsByStatusAndModel()).containsEntry("failed", java.util.Map.of("z-image", 1L));
        submit("a", T0, "sandbox");
        assertThat(store.queueDepth(T0)).isEqualTo(1);
    }

    @Test
    void aTasksOwnRetentionIsCountedFromItsEndInTheDatabase() {
        Task shortLived = withOwnRetention(Duration.ofSeconds(120));
        Task ordinary = submit("a", T0, "sandbox");
        store.failUnclaimed(shortLived.id(), ErrorCode.CANCELLED, "x", T0.plusSeconds(10));
        store.failUnclaimed(ordinary.id(), ErrorCode.CANCELLED, "x", T0.plusSeconds(10));
        Instant beforeItsEnd = T0.plusSeconds(129);
        Duration operators = Duration.ofHours(1);
        assertThat(store.expiredByOwnRetention(beforeItsEnd, beforeItsEnd.minusSeconds(60), operators, 10)).isEmpty();
        Instant after = T0.plusSeconds(131);
        assertThat(store.expiredByOwnRetention(after, after.minusSeconds(60), operators, 10)).extracting(Task::id).containsExactly(shortLived.id());
        // the operator's sweep takes the tasks without a retention of their own; the other sweep the rest
        assertThat(store.expiredTasks(after, 10)).extracting(Task::id).containsExactly(ordinary.id());
    }

    @Test
    void anOperatorsRetentionShorterThanATasksOwnEndsItAtTheOperatorsTime() {
        Task longLived = withOwnRetention(Duration.ofHours(2)); // allowed when submitted; the operator lowered theirs since
        store.failUnclaimed(longLived.id(), ErrorCode.CANCELLED, "x", T0.plusSeconds(10));
        Duration operators = Duration.ofHours(1);
        Instant withinTheHour = T0.plusSeconds(10).plus(operators).minusSeconds(1);
        assertThat(store.expiredByOwnRetention(withinTheHour, withinTheHour.minusSeconds(60), operators, 10)).isEmpty();
        Instant pastTheHour = withinTheHour.plusSeconds(2);
        assertThat(store.expiredByOwnRetention(pastTheHour, pastTheHour.minusSeconds(60), operators, 10))
                .extracting(Task::id).containsExactly(longLived.id());
        assertThat(store.expiredTasks(pastTheHour, 10)).isEmpty();
    }

    @Test
    void theOperatorsRetentionSweepReadsOneRangeOfTheRetentionIndex() {
        String plan = database.jdbc().inTransaction(tx -> {
            forbidTableScans(tx);
            return String.join("\n", tx.query("EXPLAIN " + TaskStore.EXPIRED, rs -> rs.getString(1), T0, 10));
        });
        assertThat(plan.toLowerCase(java.util.Locale.ROOT)).contains("task_own_retention");
    }

    /** PostgreSQL would read a table of a few rows whole whatever its indexes; H2 plans by its indexes alone. */
    void forbidTableScans(dev.pictor.db.Jdbc.Tx tx) throws java.sql.SQLException {
    }

    private Task withOwnRetention(Duration retention) {
        return store.insert(new NewTask(ids.next(T0), "a", "z-image", "{}", null, "sandbox", T0, T0.plus(Duration.ofMinutes(10)),
                java.util.Map.of(), List.of(), retention, null));
    }

    private static StoredFile file(Task t) {
        return new StoredFile(t.id() + "/0.png", "image/png", 1024, 1024, 1234, "sandbox");
    }
}
