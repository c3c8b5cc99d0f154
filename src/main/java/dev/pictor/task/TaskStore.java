package dev.pictor.task;

import dev.pictor.Json;
import dev.pictor.db.Jdbc;
import dev.pictor.storage.StoredFile;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;

/**
 * Tasks and their work queue, in the database. All writes that end a task go through
 * {@link #terminate}, which only changes a task that is not terminal yet: whoever gets there first
 * (worker, deadline sweeper, cancel) wins, and every other attempt sees {@code false}.
 *
 * <p>Lock order is always task row, then queue row, so concurrent enders never deadlock.
 */
public final class TaskStore {
    private static final String TASK_COLUMNS = "id, tenant_id, model, status, input_json, callback_url, provider, "
            + "progress, error_code, error_message, output_json, created_at, started_at, finished_at, deadline_at";
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

    private final Jdbc jdbc;
    private final TerminalListener terminalListener;
    private final SecureRandom random = new SecureRandom();

    public TaskStore(Jdbc jdbc, TerminalListener terminalListener) {
        this.jdbc = jdbc;
        this.terminalListener = terminalListener;
    }

    /** Stores the task and its queue row in one transaction. */
    public Task insert(NewTask t) {
        jdbc.inTransaction(tx -> {
            tx.update("INSERT INTO task (" + TASK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL, ?, NULL, NULL, ?)",
                    t.id(), t.tenantId(), t.model(), TaskStatus.NOT_STARTED.wire(), t.inputJson(), t.callbackUrl(),
                    t.provider(), t.createdAt(), t.deadlineAt());
            tx.update("INSERT INTO task_queue (task_id, provider, due_at, attempts) VALUES (?, ?, ?, 0)",
                    t.id(), t.provider(), t.createdAt());
            notifyPeers(tx);
            return null;
        });
        return new Task(t.id(), t.tenantId(), t.model(), TaskStatus.NOT_STARTED, t.inputJson(), t.callbackUrl(),
                t.provider(), 0, null, null, List.of(), t.createdAt(), null, null, t.deadlineAt());
    }

    /** A tenant's task; another tenant's id is simply not found. */
    public Optional<Task> find(String tenantId, String taskId) {
        return jdbc.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ? AND tenant_id = ?",
                TaskStore::mapTask, taskId, tenantId);
    }

    public Optional<Task> findAnyTenant(String taskId) {
        return jdbc.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, taskId);
    }

    /**
     * Claims up to {@code limit} due queue rows of the given providers for {@code owner}, and marks
     * their tasks running, in one transaction. SKIP LOCKED lets concurrent claimers (threads or
     * nodes) pass over each other's rows instead of waiting.
     */
    public List<Claim> claim(String owner, List<String> providers, int limit, Instant now, Duration lease) {
        if (providers.isEmpty() || limit <= 0) {
            return List.of();
        }
        return jdbc.inTransaction(tx -> {
            Object[] params = new Object[providers.size() + 2];
            params[0] = now;
            for (int i = 0; i < providers.size(); i++) {
                params[i + 1] = providers.get(i);
            }
            params[params.length - 1] = limit;
            record Row(long seq, String taskId, int attempts) {
            }
            List<Row> rows = tx.query("SELECT seq, task_id, attempts FROM task_queue WHERE due_at <= ? AND provider IN ("
                            + Jdbc.placeholders(providers.size()) + ") ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED",
                    rs -> new Row(rs.getLong("seq"), rs.getString("task_id"), rs.getInt("attempts")), params);
            List<Claim> claims = new ArrayList<>(rows.size());
            for (Row row : rows) {
                String token = newToken();
                tx.update("UPDATE task_queue SET lease_owner = ?, lease_token = ?, due_at = ?, attempts = attempts + 1 WHERE seq = ?",
                        owner, token, now.plus(lease), row.seq());
                tx.update("UPDATE task SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ? AND status IN " + OPEN,
                        now, row.taskId());
                Optional<Task> task = tx.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, row.taskId());
                task.ifPresent(value -> claims.add(new Claim(value, token, row.attempts() + 1)));
            }
            return claims;
        });
    }

    /** Extends every lease {@code owner} holds; one statement per heartbeat, whatever the count. */
    public int renewLeases(String owner, Instant until) {
        return jdbc.update("UPDATE task_queue SET due_at = ? WHERE lease_owner = ?", until, owner);
    }

    /** Gives a claimed task back to the queue, due at {@code dueAt}, for this or another node. */
    public boolean release(Claim claim, Instant dueAt) {
        return jdbc.inTransaction(tx -> {
            boolean released = tx.update("UPDATE task_queue SET lease_owner = NULL, lease_token = NULL, due_at = ? WHERE task_id = ? AND lease_token = ?",
                    dueAt, claim.taskId(), claim.token()) == 1;
            if (released) {
                notifyPeers(tx);
            }
            return released;
        });
    }

    /** Tells other nodes (PostgreSQL only) that the queue changed; delivered when the transaction commits. */
    private void notifyPeers(Jdbc.Tx tx) throws SQLException {
        if (jdbc.dialect().supportsNotify()) {
            tx.update("NOTIFY " + PeerWakeups.CHANNEL);
        }
    }

    public void updateProgress(String taskId, int progress) {
        jdbc.update("UPDATE task SET progress = ? WHERE id = ? AND status = 'running' AND progress < ?", progress, taskId, progress);
    }

    /** Finishes a claimed task with its files; false when the lease was lost or the task already ended. */
    public boolean finish(Claim claim, String provider, List<StoredFile> files, Instant now) {
        return terminate(claim.taskId(), claim.token(), TaskStatus.FINISHED, provider, null, null, files, now);
    }

    /** Fails a claimed task; false when the lease was lost or the task already ended. */
    public boolean fail(Claim claim, ErrorCode code, String message, Instant now) {
        return terminate(claim.taskId(), claim.token(), TaskStatus.FAILED, null, code, message, List.of(), now);
    }

    /** Fails a task whoever holds it (deadline, cancel); false when it had already ended. */
    public boolean failUnclaimed(String taskId, ErrorCode code, String message, Instant now) {
        return terminate(taskId, null, TaskStatus.FAILED, null, code, message, List.of(), now);
    }

    private boolean terminate(String taskId, String leaseToken, TaskStatus status, String provider, ErrorCode code,
                              String message, List<StoredFile> files, Instant now) {
        return jdbc.inTransaction(tx -> {
            int changed = tx.update("UPDATE task SET status = ?, provider = COALESCE(?, provider), progress = ?, error_code = ?, "
                            + "error_message = ?, output_json = ?, finished_at = ? WHERE id = ? AND status IN " + OPEN,
                    status.wire(), provider, status == TaskStatus.FINISHED ? 100 : 0, code == null ? null : code.wire(),
                    truncate(message, 2000), files.isEmpty() ? null : Json.write(files), now, taskId);
            if (changed == 0) {
                return false;
            }
            int dequeued = leaseToken == null
                    ? tx.update("DELETE FROM task_queue WHERE task_id = ?", taskId)
                    : tx.update("DELETE FROM task_queue WHERE task_id = ? AND lease_token = ?", taskId, leaseToken);
            if (leaseToken != null && dequeued == 0) {
                // Another node owns this task now; undo and let it finish.
                tx.connection().rollback();
                return false;
            }
            Task ended = tx.queryOne("SELECT " + TASK_COLUMNS + " FROM task WHERE id = ?", TaskStore::mapTask, taskId).orElseThrow();
            terminalListener.onTerminal(tx, ended);
            return true;
        });
    }

    /** Open tasks whose deadline has passed, oldest first. */
    public List<String> overdueTaskIds(Instant now, int limit) {
        return jdbc.query("SELECT id FROM task WHERE status IN " + OPEN + " AND deadline_at <= ? ORDER BY deadline_at LIMIT ?",
                rs -> rs.getString("id"), now, limit);
    }

    /** Finished or failed tasks that ended before {@code cutoff}: candidates for retention clean-up. */
    public List<Task> expiredTasks(Instant cutoff, int limit) {
        return jdbc.query("SELECT " + TASK_COLUMNS + " FROM task WHERE finished_at < ? ORDER BY finished_at LIMIT ?",
                TaskStore::mapTask, cutoff, limit);
    }

    public void delete(String taskId) {
        jdbc.update("DELETE FROM task WHERE id = ?", taskId);
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

    public long countForTenant(String tenantId) {
        return jdbc.queryOne("SELECT COUNT(*) AS n FROM task WHERE tenant_id = ?", rs -> rs.getLong("n"), tenantId).orElse(0L);
    }

    private String newToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static Task mapTask(ResultSet rs) throws SQLException {
        String code = rs.getString("error_code");
        String output = rs.getString("output_json");
        return new Task(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("model"),
                TaskStatus.fromWire(rs.getString("status")),
                rs.getString("input_json"),
                rs.getString("callback_url"),
                rs.getString("provider"),
                rs.getInt("progress"),
                code == null ? null : ErrorCode.fromWire(code),
                rs.getString("error_message"),
                output == null ? List.of() : Json.MAPPER.readValue(output, FILE_LIST),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "started_at"),
                Jdbc.instant(rs, "finished_at"),
                Jdbc.instant(rs, "deadline_at"));
    }
}
