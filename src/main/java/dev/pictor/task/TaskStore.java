package dev.pictor.task;

import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.db.DataAccessException;
import dev.pictor.db.Jdbc;
import dev.pictor.storage.StoredFile;
import dev.pictor.upstream.UpstreamUsage;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.node.ArrayNode;

/**
 * Tasks and their work queue, in the database. All writes that end a task go through
 * {@link #terminate}, which only changes a task that is not terminal yet: whoever gets there first
 * (worker, deadline sweeper, cancel) wins, and every other attempt sees {@code false}.
 *
 * <p>Lock order is always queue row, then task row (claims and terminal writes alike), so concurrent
 * claimers and enders never deadlock.
 *
 * <p>It is longer than Pictor's other classes on purpose: every statement on {@code task},
 * {@code task_queue} and {@code idempotency_key} lives here, so the lock order, the claim SQL that
 * must run unchanged on H2 and PostgreSQL, and the one conditional terminal write can be read (and
 * are tested, {@code TaskStoreContract}) in one place.
 */
public final class TaskStore {
    private static final String TASK_COLUMNS = "id, tenant_id, model, status, input_json, callback_url, provider, "
            + "progress, error_code, error_message, output_json, created_at, started_at, finished_at, deadline_at, upstream_ref, route_index, route_log, metadata_json, webhook_events";
    private static final String OPEN = "('not_started', 'running')";
    private static final TypeReference<List<StoredFile>> FILE_LIST = new TypeReference<>() {
    };

    /**
     * Called inside the transaction that ends a task, with the task as it now is, so whatever it
     * writes (the webhook outbox) commits or rolls back together with the terminal status.
     */
    @FunctionalInterface
    public interface TerminalListener {
        TerminalListener NONE = (tx, task) -> { };

        void onTerminal(Jdbc.Tx tx, Task task) throws SQLException;
    }

    /**
     * Called inside the transaction that starts a task ({@code RUNNING}) or raises its progress
     * ({@code PROGRESS}), with the task as it now is, for the same reason as {@link TerminalListener}.
     */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = (tx, task, type) -> { };

        void onChange(Jdbc.Tx tx, Task task, WebhookEventType type) throws SQLException;
    }

    /**
     * Called inside the transaction that stores a new task, before its rows are written; throwing
     * rolls the whole insert back (the credit reservation uses it: no task without its reservation).
     * It may write rows of its own there, and returns the row to write with the task's (null: none).
     */
    @FunctionalInterface
    public interface InsertListener {
        InsertListener NONE = (tx, task) -> null;

        Companion onInsert(Jdbc.Tx tx, NewTask task) throws SQLException;
    }

    /**
     * A row written with a new task's own rows and, read with it, one scalar query: on PostgreSQL both
     * are parts of the task's one statement, so a submit costs one round trip, not two (the charge row
     * and its tenant's billing mode were the second). {@code insert} is an INSERT ... VALUES with
     * {@code insertParams}; {@code answerQuery} a query of one column and at most one row with
     * {@code answerParams}. Then, in the same transaction, {@code then} gets the query's answer (null
     * when it found no row).
     */
    public record Companion(String insert, Object[] insertParams, String answerQuery, Object[] answerParams, AfterWrite then) {
    }

    /** What a {@link Companion} does once it is written, given its query's answer. */
    @FunctionalInterface
    public interface AfterWrite {
        void written(Jdbc.Tx tx, String answer) throws SQLException;
    }

    private final Jdbc jdbc;
    private final TerminalListener terminalListener;
    private final ProgressListener progressListener;
    private final InsertListener insertListener;
    private final TaskEvents events;
    private final SecureRandom random = new SecureRandom();

    public TaskStore(Jdbc jdbc, TerminalListener terminalListener, TaskEvents events) {
        this(jdbc, terminalListener, ProgressListener.NONE, InsertListener.NONE, events);
    }

    public TaskStore(Jdbc jdbc, TerminalListener terminalListener, ProgressListener progressListener, InsertListener insertListener,
                     TaskEvents events) {
        this.jdbc = jdbc;
        this.terminalListener = terminalListener;
        this.progressListener = progressListener;
        this.insertListener = insertListener;
        this.events = events;
    }

    /** An Idempotency-Key with the hash of the request it came with; keys older than {@code validAfter} no longer count. */
    public record IdempotencyKey(String key, String requestHash, Instant validAfter) {
    }

    /** The task a submit resolved to, and whether it was an earlier one (same key, same request). */
    public record Insertion(Task task, boolean replayed) {
    }

    /** The key was used before with a different request. */
    public static final class IdempotencyConflict extends RuntimeException {
        public IdempotencyConflict(String existingTaskId) {
            super("this Idempotency-Key was already used with a different request (task " + existingTaskId + ")");
        }
    }

    /**
     * Stores the task, its queue row and its idempotency key (when given) in one transaction. With a
     * key that is already taken, nothing is stored: the first task is returned when the request is
     * the same, and {@link IdempotencyConflict} is thrown when it is not. Concurrent submits with one
     * key meet at the key's primary key: exactly one stores, the others read its task.
     */
    public Insertion insert(NewTask t, IdempotencyKey key) {
        return insert(t, key, null).insertion();
    }

    /** A new task's hold for the node that runs it at once: who, with which token, until when. */
    public record Lease(String owner, String token, Instant until) {
    }

    /** The task a submit resolved to and, when it was stored leased, the claim on it (null when replayed). */
    public record LeasedInsertion(Insertion insertion, Claim claim) {
    }

    /**
     * As {@link #insert(NewTask, IdempotencyKey)}, but the task is stored already running and its queue
     * row leased to {@code lease.owner()} (first attempt), for a node that runs it at once instead of
     * queueing it: no claim round, no second write. The row is an ordinary lease: if the node dies,
     * it runs out and any node claims the task again. A replayed key returns the earlier task, unclaimed.
     */
    public LeasedInsertion insertLeased(NewTask t, IdempotencyKey key, Lease lease) {
        return insert(t, key, lease);
    }

    private LeasedInsertion insert(NewTask t, IdempotencyKey key, Lease lease) {
        // Grouped with concurrent submits (one commit for several); ordered by the rows they lock.
        String lockKey = t.tenantId() + "\n" + (t.keyId() == null ? "" : t.keyId());
        if (key == null) {
            return jdbc.inGroupTransaction(lockKey, tx -> stored(tx, t, lease));
        }
        try {
            return jdbc.inGroupTransaction(lockKey, tx -> {
                tx.update("DELETE FROM idempotency_key WHERE tenant_id = ? AND idem_key = ? AND created_at <= ?", t.tenantId(), key.key(), key.validAfter());
                Optional<Insertion> earlier = earlierTask(tx, t.tenantId(), key);
                if (earlier.isPresent()) {
                    return new LeasedInsertion(earlier.get(), null);
                }
                LeasedInsertion stored = stored(tx, t, lease);
                tx.update("INSERT INTO idempotency_key (tenant_id, idem_key, request_hash, task_id, created_at) VALUES (?, ?, ?, ?, ?)",
                        t.tenantId(), key.key(), key.requestHash(), t.id(), t.createdAt());
                return stored;
            });
        } catch (DataAccessException e) {
            // Lost the race for the key: the winner has committed (or we would not have failed); use its task.
            return jdbc.inTransaction(tx -> earlierTask(tx, t.tenantId(), key)).map(earlier -> new LeasedInsertion(earlier, null))
                    .orElseThrow(() -> e);
        }
    }

    private LeasedInsertion stored(Jdbc.Tx tx, NewTask t, Lease lease) throws SQLException {
        insertRows(tx, t, lease);
        Task task = newTask(t, lease);
        if (lease == null) {
            return new LeasedInsertion(new Insertion(task, false), null);
        }
        progressListener.onChange(tx, task, WebhookEventType.RUNNING);
        tx.afterCommit(() -> events.changed(t.id()));
        return new LeasedInsertion(new Insertion(task, false), new Claim(task, lease.token(), 1));
    }

    /** A fresh lease token, for {@link #insertLeased}. */
    public String leaseToken() {
        return newToken();
    }

    private Optional<Insertion> earlierTask(Jdbc.Tx tx, String tenantId, IdempotencyKey key) throws SQLException {
        record Row(String hash, String taskId) {
        }
        Optional<Row> row = tx.queryOne("SELECT request_hash, task_id FROM idempotency_key WHERE tenant_id = ? AND idem_key = ?",
                rs -> new Row(rs.getString("request_hash"), rs.getString("task_id")), tenantId, key.key());
        if (row.isEmpty()) {
            return Optional.empty();
        }
        if (!row.get().hash().equals(key.requestHash())) {
            throw new IdempotencyConflict(row.get().taskId());
        }
        return tx.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, row.get().taskId())
                .map(task -> new Insertion(task, true));
    }

    /** Stores the task and its queue row in one transaction. */
    public Task insert(NewTask t) {
        return insert(t, null, null).insertion().task();
    }

    private static final String INSERT_TASK = "INSERT INTO task (" + TASK_COLUMNS
            + ", retention_seconds, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL, ?, ?, NULL, ?, NULL, 0, NULL, ?, ?, ?, ?)";

    /**
     * The task row, its queue row, the insert listener's companion row and answer and (queued, not
     * leased) the peers' wake-up: on PostgreSQL one statement, so a submit waits on one round trip for
     * all of them rather than four (the NOTIFY stays, folded in as {@code pg_notify}: peers learn of
     * the work at once, and it costs no extra trip); on H2 (embedded, no round trips to save) plain
     * statements.
     */
    private void insertRows(Jdbc.Tx tx, NewTask t, Lease lease) throws SQLException {
        Companion companion = insertListener.onInsert(tx, t);
        TaskStatus status = lease == null ? TaskStatus.NOT_STARTED : TaskStatus.RUNNING;
        Instant started = lease == null ? null : t.createdAt();
        Object[] taskParams = {t.id(), t.tenantId(), t.model(), status.wire(), t.inputJson(), t.callbackUrl(),
                t.upstream(), t.createdAt(), started, t.deadlineAt(), Metadata.write(t.metadata()), WebhookEventType.write(t.webhookEvents()),
                t.retention() == null ? null : t.retention().toSeconds(), t.keyId()};
        Object[] queueParams = lease == null ? new Object[] {t.createdAt(), 0, null, null}
                : new Object[] {lease.until(), 1, lease.owner(), lease.token()};
        var dialect = jdbc.dialect();
        String answer = null;
        if (dialect.insertsQueuedInOneStatement()) {
            List<Object> params = new ArrayList<>(Arrays.asList(taskParams));
            params.addAll(Arrays.asList(queueParams));
            if (companion != null) {
                params.addAll(Arrays.asList(companion.insertParams()));
                params.addAll(Arrays.asList(companion.answerParams()));
            }
            String sql = dialect.insertThenInsert(INSERT_TASK + " RETURNING id, provider",
                    // Typed: parameters in a SELECT list are not typed by the columns they go to.
                    "INSERT INTO task_queue (task_id, provider, due_at, attempts, lease_owner, lease_token) SELECT id, provider, "
                            + "CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS INT), CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)) FROM new_row",
                    companion == null ? null : companion.insert(), companion == null ? null : companion.answerQuery(), lease == null);
            answer = tx.queryOne(sql, rs -> rs.getString(2), params.toArray()).orElse(null);
        } else {
            tx.update(INSERT_TASK, taskParams);
            tx.update("INSERT INTO task_queue (task_id, provider, due_at, attempts, lease_owner, lease_token) VALUES (?, ?, ?, ?, ?, ?)",
                    t.id(), t.upstream(), queueParams[0], queueParams[1], queueParams[2], queueParams[3]);
            if (companion != null) {
                tx.update(companion.insert(), companion.insertParams());
                answer = tx.queryOne(companion.answerQuery(), rs -> rs.getString(1), companion.answerParams()).orElse(null);
            }
        }
        for (var entry : t.metadata().entrySet()) {
            tx.update("INSERT INTO task_metadata (task_id, meta_key, meta_value) VALUES (?, ?, ?)", t.id(), entry.getKey(), entry.getValue());
        }
        if (companion != null) {
            companion.then().written(tx, answer);
        }
    }

    private static Task newTask(NewTask t, Lease lease) {
        return new Task(t.id(), t.tenantId(), t.model(), lease == null ? TaskStatus.NOT_STARTED : TaskStatus.RUNNING, t.inputJson(),
                t.callbackUrl(), t.upstream(), 0, null, null, List.of(), t.createdAt(), lease == null ? null : t.createdAt(), null,
                t.deadlineAt(), null, 0, List.of(), t.metadata(), t.webhookEvents());
    }

    /** A tenant's task; another tenant's id is simply not found. */
    public Optional<Task> find(String tenantId, String taskId) {
        return jdbc.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ? AND tenant_id = ?",
                TaskStore::mapTask, taskId, tenantId);
    }

    /** The tenant's tasks among {@code taskIds}, newest first; ids that are not the tenant's are simply absent. */
    public List<Task> findMany(String tenantId, List<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        Object[] params = new Object[taskIds.size() + 1];
        params[0] = tenantId;
        for (int i = 0; i < taskIds.size(); i++) {
            params[i + 1] = taskIds.get(i);
        }
        return jdbc.query("SELECT " + TASK_COLUMNS + " FROM task WHERE tenant_id = ? AND id IN (" + Jdbc.placeholders(taskIds.size())
                + ") ORDER BY created_at DESC, id DESC", TaskStore::mapTask, params);
    }

    public Optional<Task> findAnyTenant(String taskId) {
        return jdbc.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, taskId);
    }

    /** One kind (waiting or fresh) of an upstream's due rows in claim order; the ORDER BY is the index's columns, so it is read in order. */
    private static final String CLAIM_DUE = "SELECT seq, task_id, attempts FROM task_queue WHERE waiting = ? AND provider = ? AND due_at <= ? "
            + "ORDER BY waiting, provider, due_at, seq LIMIT ?";
    /** On H2, the rows {@link #CLAIM_DUE} picked that are still due and free, locked (see {@link dev.pictor.db.Dialect#locksRowsInIndexOrder}). */
    private static final String LOCK_STILL_DUE = "SELECT seq FROM task_queue WHERE seq = ANY(?) AND waiting = ? AND due_at <= ? FOR UPDATE SKIP LOCKED";

    /**
     * Claims up to {@code limit} due queue rows of the given upstreams for {@code owner}, and marks
     * their tasks running, in one transaction. SKIP LOCKED lets concurrent claimers (threads or
     * nodes) pass over each other's rows instead of waiting.
     *
     * <p>Per upstream, rows put back to wait (the next poll of an upstream job, a retry, a task handed
     * back) come first, then fresh tasks; each kind oldest due first, seq breaking ties. Both are
     * ranges of one index ({@code task_queue_claim}) read from the first due row to the limit, so a
     * claim costs the same with 100 or 100,000 jobs in flight.
     */
    public List<Claim> claim(String owner, List<String> upstreams, int limit, Instant now, Duration lease) {
        if (upstreams.isEmpty() || limit <= 0) {
            return List.of();
        }
        return jdbc.inTransaction(tx -> {
            record Row(long seq, String taskId, int attempts) {
            }
            Jdbc.RowMapper<Row> toRow = rs -> new Row(rs.getLong(1), rs.getString(2), rs.getInt(3));
            boolean lockInOrder = jdbc.dialect().locksRowsInIndexOrder();
            List<Row> rows = new ArrayList<>();
            for (String upstream : upstreams) {
                for (boolean waiting : new boolean[] {true, false}) {
                    int left = limit - rows.size();
                    if (left <= 0) {
                        continue;
                    }
                    if (lockInOrder) {
                        rows.addAll(tx.query(CLAIM_DUE + " FOR UPDATE SKIP LOCKED", toRow, waiting, upstream, now, left));
                        continue;
                    }
                    List<Row> candidates = tx.query(CLAIM_DUE, toRow, waiting, upstream, now, left);
                    if (!candidates.isEmpty()) {
                        // Locked now, if still due and not locked by another claimer (which may have taken them since).
                        Set<Long> locked = new HashSet<>(tx.query(LOCK_STILL_DUE, rs -> rs.getLong(1),
                                candidates.stream().map(Row::seq).toArray(Long[]::new), waiting, now));
                        candidates.stream().filter(c -> locked.contains(c.seq())).forEach(rows::add);
                    }
                }
            }
            List<Claim> claims = new ArrayList<>(rows.size());
            for (Row row : rows) {
                String token = newToken();
                tx.update("UPDATE task_queue SET lease_owner = ?, lease_token = ?, due_at = ?, attempts = attempts + 1, waiting = FALSE WHERE seq = ?",
                        owner, token, now.plus(lease), row.seq());
                // Only a first start changes the row: a task claimed again (its next poll, a retry) is running since then,
                // and rewriting it with the same values would still cost H2 a B-tree page at commit.
                boolean firstStart = tx.update("UPDATE task SET status = 'running', started_at = ? WHERE id = ? AND status = 'not_started'",
                        now, row.taskId()) == 1;
                Optional<Task> task = tx.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, row.taskId());
                task.ifPresent(value -> claims.add(new Claim(value, token, row.attempts() + 1)));
                if (firstStart && task.isPresent()) {
                    progressListener.onChange(tx, task.get(), WebhookEventType.RUNNING);
                }
                tx.afterCommit(() -> events.changed(row.taskId()));
            }
            return claims;
        });
    }

    /**
     * Extends the leases {@code owner} holds, passing over the rows another transaction holds locked
     * at that moment: two statements per heartbeat, whatever the count, and the renewal never waits
     * for a lock, so it is never part of a lock cycle. (It was one {@code UPDATE ... WHERE lease_owner
     * = ?}, which took the node's rows in index order while a group-commit batch takes them in task
     * order; on H2 such a cycle failed the whole renewal once in 430,768 tasks.) A row passed over is
     * being ended or handed back by the transaction that holds it; if that one rolls back instead, the
     * next heartbeat, a third of a lease later, renews the row with about a third of its lease left.
     */
    public int renewLeases(String owner, Instant until) {
        return jdbc.inTransaction(tx -> {
            Long[] free = tx.query("SELECT seq FROM task_queue WHERE lease_owner = ? FOR UPDATE SKIP LOCKED", rs -> rs.getLong(1), owner)
                    .toArray(Long[]::new);
            return free.length == 0 ? 0 : tx.update("UPDATE task_queue SET due_at = ? WHERE seq = ANY(?)", until, free);
        });
    }

    /** Gives a claimed task back to the queue, due at {@code dueAt}, for this or another node. */
    public boolean release(Claim claim, Instant dueAt) {
        return jdbc.inTransaction(tx -> {
            boolean released = tx.update("UPDATE task_queue SET lease_owner = NULL, lease_token = NULL, due_at = ?, waiting = TRUE WHERE task_id = ? AND lease_token = ?",
                    dueAt, claim.taskId(), claim.token()) == 1;
            if (released) {
                tx.notifyPeers();
            }
            return released;
        });
    }

    /**
     * An asynchronous upstream is working on the task: remembers its job and progress, and frees the
     * queue row until the next poll is due. Polls do not count as attempts. False when the lease was lost.
     * Grouped with other writes (one commit for several): with many jobs in flight a node makes one
     * of these per poll, and as lone transactions they were a seventh of its CPU.
     */
    public boolean awaitUpstream(Claim claim, String upstreamRef, int progress, Instant nextPoll) {
        return jdbc.inGroupTransaction(claim.task().tenantId(), tx -> {
            if (tx.update("UPDATE task_queue SET lease_owner = NULL, lease_token = NULL, due_at = ?, attempts = 0, waiting = TRUE "
                    + "WHERE task_id = ? AND lease_token = ?", nextPoll, claim.taskId(), claim.token()) == 0) {
                return false;
            }
            tx.update("UPDATE task SET upstream_ref = ? WHERE id = ? AND status IN " + OPEN, upstreamRef, claim.taskId());
            raiseProgress(tx, claim.taskId(), progress);
            tx.afterCommit(() -> events.changed(claim.taskId()));
            return true;
        });
    }

    /** Puts the task back for another try on the same route at {@code due}, recording why. */
    public boolean retryLater(Claim claim, Instant due, RouteLogEntry logEntry) {
        return jdbc.inTransaction(tx -> {
            if (tx.update("UPDATE task_queue SET lease_owner = NULL, lease_token = NULL, due_at = ?, waiting = TRUE WHERE task_id = ? AND lease_token = ?",
                    due, claim.taskId(), claim.token()) == 0) {
                return false;
            }
            appendLog(tx, claim.taskId(), logEntry);
            return true;
        });
    }

    /** Moves the task to another route (its upstream), due now, as a fresh start there; records why. */
    public boolean switchRoute(Claim claim, String upstream, int routeIndex, Instant due, RouteLogEntry logEntry) {
        return jdbc.inTransaction(tx -> {
            if (tx.update("UPDATE task_queue SET lease_owner = NULL, lease_token = NULL, due_at = ?, attempts = 0, provider = ?, waiting = TRUE "
                    + "WHERE task_id = ? AND lease_token = ?", due, upstream, claim.taskId(), claim.token()) == 0) {
                return false;
            }
            tx.update("UPDATE task SET provider = ?, route_index = ?, upstream_ref = NULL WHERE id = ?", upstream, routeIndex, claim.taskId());
            appendLog(tx, claim.taskId(), logEntry);
            tx.notifyPeers();
            return true;
        });
    }

    /** The route log is kept under this many characters of JSON, oldest entries dropped first. */
    private static final int ROUTE_LOG_MAX_CHARS = 15_000;

    private static void appendLog(Jdbc.Tx tx, String taskId, RouteLogEntry entry) throws SQLException {
        String current = tx.queryOne("SELECT route_log FROM task WHERE id = ?", rs -> rs.getString("route_log"), taskId).orElse(null);
        List<RouteLogEntry> log = new ArrayList<>(readRouteLog(current));
        log.add(entry);
        String text = writeRouteLog(log);
        while (text.length() > ROUTE_LOG_MAX_CHARS && log.size() > 1) {
            log.removeFirst();
            text = writeRouteLog(log);
        }
        tx.update("UPDATE task SET route_log = ? WHERE id = ?", text, taskId);
    }

    /** The {@code route_log} column's JSON array; written here and nowhere else. */
    private static String writeRouteLog(List<RouteLogEntry> log) {
        ArrayNode array = Json.array();
        log.forEach(entry -> array.add(entry.toStored()));
        return Json.write(array);
    }

    /** The {@code route_log} column as entries, parsed once when a row is read; null (no failures yet) is empty. */
    private static List<RouteLogEntry> readRouteLog(String column) {
        if (column == null) {
            return List.of();
        }
        List<RouteLogEntry> log = new ArrayList<>();
        Json.parse(column).forEach(entry -> log.add(RouteLogEntry.fromStored(entry)));
        return log;
    }

    public void updateProgress(String taskId, int progress) {
        if (jdbc.inTransaction(tx -> raiseProgress(tx, taskId, progress))) {
            events.changed(taskId);
        }
    }

    /** Raises a running task's progress (never lowers it), telling the listener; false when nothing changed. */
    private boolean raiseProgress(Jdbc.Tx tx, String taskId, int progress) throws SQLException {
        if (tx.update("UPDATE task SET progress = ? WHERE id = ? AND status = 'running' AND progress < ?", progress, taskId, progress) == 0) {
            return false;
        }
        Optional<Task> task = tx.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, taskId);
        if (task.isPresent()) {
            progressListener.onChange(tx, task.get(), WebhookEventType.PROGRESS);
        }
        return true;
    }

    /** Finishes a claimed task with its files on a route that reported no usage; false as {@link #finish(Claim, String, String, UpstreamUsage, List, Map, Instant)}. */
    public boolean finish(Claim claim, String upstream, List<StoredFile> files, Instant now) {
        return finish(claim, upstream, upstream, UpstreamUsage.NONE, files, Map.of(), now);
    }

    /**
     * Finishes a claimed task with its files, recording the route that made them ({@code route}, the
     * key of the operator's upstream costs) and what that upstream reported it used; false when the
     * lease was lost or the task already ended. {@code outputs} are the files' bytes by key, as the run
     * stored them: this node's waiters are handed them with the ended task ({@link TaskEvents}), so
     * an answer that carries the images need not read them back from the blob store.
     */
    public boolean finish(Claim claim, String upstream, String route, UpstreamUsage usage, List<StoredFile> files, Map<String, byte[]> outputs,
                          Instant now) {
        return terminate(claim.taskId(), claim.task().tenantId(), claim.token(), TaskStatus.FINISHED, upstream, null, null, files, outputs, now,
                route, usage);
    }

    /** Fails a claimed task; false when the lease was lost or the task already ended. */
    public boolean fail(Claim claim, ErrorCode code, String message, Instant now) {
        return terminate(claim.taskId(), claim.task().tenantId(), claim.token(), TaskStatus.FAILED, null, code, message, List.of(), Map.of(), now,
                null, UpstreamUsage.NONE);
    }

    /** Fails a task whoever holds it (deadline, cancel); false when it had already ended. */
    public boolean failUnclaimed(String taskId, ErrorCode code, String message, Instant now) {
        return terminate(taskId, "", null, TaskStatus.FAILED, null, code, message, List.of(), Map.of(), now, null, UpstreamUsage.NONE);
    }

    private static final String TERMINATE = "UPDATE task SET status = ?, provider = COALESCE(?, provider), progress = ?, error_code = ?, "
            + "error_message = ?, output_json = ?, finished_at = ?, image_count = ?, upstream_route = ?, "
            + "upstream_input_tokens = ?, upstream_output_tokens = ?, upstream_compute_ms = ? WHERE id = ? AND status IN " + OPEN;

    /**
     * The one terminal write. Grouped with concurrent submits and endings (one commit for several,
     * {@link Jdbc#inGroupTransaction}), ordered by tenant: the shared rows it locks are the tenant's
     * balance and its key's window counters.
     */
    private boolean terminate(String taskId, String tenantId, String leaseToken, TaskStatus status, String upstream, ErrorCode code,
                              String message, List<StoredFile> files, Map<String, byte[]> outputs, Instant now, String route,
                              UpstreamUsage usage) {
        return jdbc.inGroupTransaction(tenantId, tx -> {
            // Queue row first, task row second: the order the claim takes them in, so the two cannot deadlock.
            // Deleting it (rather than locking it with SELECT ... FOR UPDATE, then deleting) is one
            // statement instead of two, and H2 caches the plan of a DELETE but re-parses a FOR UPDATE
            // query on every call. An ended task has no queue row, so nothing it needs is deleted.
            if (leaseToken == null) {
                tx.update("DELETE FROM task_queue WHERE task_id = ?", taskId);
            } else if (tx.update("DELETE FROM task_queue WHERE task_id = ? AND lease_token = ?", taskId, leaseToken) == 0) {
                return false; // another node owns this task now, or it ended meanwhile
            }
            // image_count and the upstream's usage are kept apart from output_json, which deleting the files clears
            // The ended task comes back from the UPDATE itself, for the listeners and the waiters: no read-back.
            Optional<Task> endedTask = tx.queryOne(tx.dialect().updateReturning(TERMINATE, TASK_COLUMNS), TaskStore::mapTask,
                    status.wire(), upstream, status == TaskStatus.FINISHED ? 100 : 0, code == null ? null : code.wire(),
                    truncate(message, 2000), files.isEmpty() ? null : Json.write(files), now, files.size(), truncate(route, 200),
                    reported(usage.inputTokens()), reported(usage.outputTokens()), reported(usage.computeMillis()), taskId);
            if (endedTask.isEmpty()) {
                return false;
            }
            Task ended = endedTask.get();
            terminalListener.onTerminal(tx, ended);
            tx.afterCommit(() -> events.ended(ended, outputs));
            return true;
        });
    }

    /**
     * How many queued tasks of the same upstream are ahead of this one (0: it is next), or empty when
     * it is not waiting in the queue (running, ended, or waiting for a retry).
     */
    public Optional<Long> queuePosition(String taskId, Instant now) {
        // Ahead in claim order: every due row put back to wait is ahead of a fresh one; within a kind, (due_at, seq) decides.
        return jdbc.queryOne("SELECT (SELECT COUNT(*) FROM task_queue a WHERE a.provider = q.provider AND a.lease_owner IS NULL AND a.due_at <= ? "
                        + "AND ((a.waiting AND NOT q.waiting) OR (a.waiting = q.waiting AND (a.due_at < q.due_at OR (a.due_at = q.due_at AND a.seq < q.seq))))) "
                        + "AS ahead FROM task_queue q WHERE q.task_id = ? AND q.lease_owner IS NULL AND q.due_at <= ?",
                rs -> rs.getLong("ahead"), now, taskId, now);
    }

    /** Ids of the tasks whose queue rows {@code owner} still holds. */
    public Set<String> heldBy(String owner) {
        return new HashSet<>(jdbc.query("SELECT task_id FROM task_queue WHERE lease_owner = ?", rs -> rs.getString("task_id"), owner));
    }

    /** Where a page of the task list ends: the last task's creation time and id. */
    public record Cursor(Instant createdAt, String id) {
    }

    /** A tenant's tasks, newest first, optionally filtered, starting after {@code after}. */
    public List<Task> list(String tenantId, TaskStatus status, String model, Instant since, Instant until, Cursor after, int limit) {
        return list(tenantId, status, model, null, since, until, after, limit);
    }

    /** A metadata key and the value it must have, for the task list. */
    public record MetadataFilter(String key, String value) {
    }

    /** As {@link #list(String, TaskStatus, String, Instant, Instant, Cursor, int)}, also filtered by one metadata key and value. */
    public List<Task> list(String tenantId, TaskStatus status, String model, MetadataFilter metadata, Instant since, Instant until,
                           Cursor after, int limit) {
        var sql = new StringBuilder("SELECT " + TASK_COLUMNS + " FROM task WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status.wire());
        }
        if (model != null) {
            sql.append(" AND model = ?");
            params.add(model);
        }
        if (metadata != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM task_metadata m WHERE m.task_id = task.id AND m.meta_key = ? AND m.meta_value = ?)");
            params.add(metadata.key());
            params.add(metadata.value());
        }
        if (since != null) {
            sql.append(" AND created_at >= ?");
            params.add(since);
        }
        if (until != null) {
            sql.append(" AND created_at < ?");
            params.add(until);
        }
        if (after != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            params.addAll(List.of(after.createdAt(), after.createdAt(), after.id()));
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.add(limit);
        return jdbc.query(sql.toString(), TaskStore::mapTask, params.toArray());
    }

    /** Forgets idempotency keys from before {@code cutoff}. */
    public int expireIdempotencyKeys(Instant cutoff) {
        return jdbc.update("DELETE FROM idempotency_key WHERE created_at <= ?", cutoff);
    }

    /**
     * Open tasks whose deadline has passed, oldest deadline first. One range of index
     * {@code task_status_deadline} per open status: given {@code status IN (...)}, H2 uses the index
     * for the status only and reads every open task's entry (26,141 of them, in 132 ms, to find that
     * none was overdue), every sweep; per status it reads only the overdue ones.
     */
    public List<String> overdueTaskIds(Instant now, int limit) {
        record Overdue(String id, Instant deadline) {
        }
        List<Overdue> overdue = jdbc.inTransaction(tx -> {
            List<Overdue> rows = new ArrayList<>();
            for (TaskStatus open : List.of(TaskStatus.NOT_STARTED, TaskStatus.RUNNING)) {
                rows.addAll(tx.query("SELECT id, deadline_at FROM task WHERE status = ? AND deadline_at <= ? ORDER BY deadline_at LIMIT ?",
                        rs -> new Overdue(rs.getString(1), Jdbc.instant(rs, 2)), open.wire(), now, limit));
            }
            return rows;
        });
        return overdue.stream().sorted(Comparator.comparing(Overdue::deadline)).limit(limit).map(Overdue::id).toList();
    }

    /**
     * Ended tasks without a retention of their own that ended before {@code cutoff}: candidates for the
     * operator's retention clean-up. One range of {@code task_own_retention} (retention_seconds IS
     * NULL, finished_at below the cutoff), read in index order up to the limit: no ORDER BY, which H2
     * would answer by sorting every expired row first (after a long stop, all of them).
     */
    public List<Task> expiredTasks(Instant cutoff, int limit) {
        return jdbc.query(EXPIRED, TaskStore::mapTask, cutoff, limit);
    }

    static final String EXPIRED = "SELECT " + TASK_COLUMNS + " FROM task WHERE retention_seconds IS NULL AND finished_at < ? LIMIT ?";

    /**
     * Ended tasks with a retention of their own whose retention, or the operator's {@code cap} when
     * that is shorter (an operator who lowered it since they were submitted), has passed.
     * {@code floor} is {@code now} minus the shortest retention a submit may ask for, so the index
     * narrows the scan before the per-row arithmetic runs.
     */
    public List<Task> expiredByOwnRetention(Instant now, Instant floor, Duration cap, int limit) {
        return jdbc.query(EXPIRED_BY_OWN_RETENTION, TaskStore::mapTask, floor, cap.toSeconds(), now, limit);
    }

    static final String EXPIRED_BY_OWN_RETENTION = "SELECT " + TASK_COLUMNS + " FROM task WHERE retention_seconds IS NOT NULL AND finished_at < ?"
            + " AND finished_at + LEAST(retention_seconds, ?) * INTERVAL '1' SECOND < ? ORDER BY finished_at LIMIT ?";

    /** Forgets an ended task's output files (its owner deleted them); false when it has not ended. */
    public boolean clearFiles(String taskId) {
        boolean cleared = jdbc.update("UPDATE task SET output_json = NULL WHERE id = ? AND status IN ('finished', 'failed')", taskId) == 1;
        if (cleared) {
            events.rewritten(taskId);
        }
        return cleared;
    }

    public void delete(String taskId) {
        jdbc.update("DELETE FROM task WHERE id = ?", taskId);
        events.rewritten(taskId);
    }

    /** Queue rows that are due and not leased: work waiting for a worker. */
    public long queueDepth(Instant now) {
        return jdbc.queryOne("SELECT COUNT(*) AS n FROM task_queue WHERE lease_owner IS NULL AND due_at <= ?",
                rs -> rs.getLong("n"), now).orElse(0L);
    }

    /** Task counts by status and model, for metrics. */
    public Map<String, Map<String, Long>> countsByStatusAndModel() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        jdbc.query("SELECT status, model, COUNT(*) AS n FROM task GROUP BY status, model", rs -> {
            counts.computeIfAbsent(rs.getString("status"), k -> new TreeMap<>()).put(rs.getString("model"), rs.getLong("n"));
            return null;
        });
        return counts;
    }

    private String newToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A usage figure for its column: NULL when the upstream did not report it. */
    private static Long reported(long figure) {
        return figure > 0 ? figure : null;
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * A row of {@code SELECT TASK_COLUMNS}, read by position: H2 resolves a column name by a search
     * per call, which was a visible share of a status read. Every caller selects exactly
     * {@link #TASK_COLUMNS}, in that order.
     */
    static Task mapTask(ResultSet rs) throws SQLException {
        String code = rs.getString(9);
        String output = rs.getString(11);
        return new Task(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                TaskStatus.fromWire(rs.getString(4)),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getInt(8),
                code == null ? null : ErrorCode.fromWire(code),
                rs.getString(10),
                output == null ? List.of() : Json.MAPPER.readValue(output, FILE_LIST),
                Jdbc.instant(rs, 12),
                Jdbc.instant(rs, 13),
                Jdbc.instant(rs, 14),
                Jdbc.instant(rs, 15),
                rs.getString(16),
                rs.getInt(17),
                readRouteLog(rs.getString(18)),
                Metadata.read(rs.getString(19)),
                WebhookEventType.read(rs.getString(20)));
    }
}
