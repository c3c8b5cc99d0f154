package dev.pictor.client.kit;

import dev.pictor.client.Task;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The application's record of its Pictor tasks, in its own database: task id, model, the
 * application's user id, the source media references, the status and (only after a terminal success)
 * the final file URLs, optionally replaced by copies in the application's own storage. The schema
 * (two tables, portable SQL) is created on first use. A terminal state is written once: every later
 * update of the same task is a no-op, which is what makes duplicate webhooks harmless.
 */
public final class TaskLedger {
    /** One task as the ledger holds it. */
    public record Entry(String taskId, String model, String appUserId, List<String> sourceRefs, String status,
                        List<String> fileUrls, String errorCode, Instant createdAt, Instant updatedAt) {
        public boolean terminal() {
            return "finished".equals(status) || "failed".equals(status);
        }
    }

    /** Copies a finished task's files into the application's storage; returns the references to keep. */
    @FunctionalInterface
    public interface FileSink {
        List<String> store(Task task) throws Exception;
    }

    /** The status of a finished task whose files a {@link FileSink} is copying; not terminal. */
    static final String STORING = "storing";
    private static final long STORING_LEASE_MS = 10 * 60_000L;
    /** Not yet terminal, and not being stored by another caller (unless that one's lease ran out). */
    private static final String CLAIMABLE = "(status NOT IN ('finished', 'failed', '" + STORING + "') OR (status = '"
            + STORING + "' AND updated_at < ?))";

    private final DataSource dataSource;
    private final Clock clock;
    private final FileSink sink;
    private volatile boolean schemaReady;

    public TaskLedger(DataSource dataSource, Clock clock) {
        this(dataSource, clock, null);
    }

    public TaskLedger(DataSource dataSource, Clock clock, FileSink sink) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.sink = sink;
    }

    /** Records a task right after submit, so a crash before its webhook cannot lose it. */
    public void record(String taskId, String model, String appUserId, List<String> sourceRefs) {
        long now = clock.millis();
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pictor_ledger_tasks (task_id, model, app_user_id,"
                    + " source_refs, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'not_started', ?, ?)")) {
                ps.setString(1, taskId);
                ps.setString(2, model);
                ps.setString(3, appUserId);
                ps.setString(4, String.join("\n", sourceRefs));
                ps.setLong(5, now);
                ps.setLong(6, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Applies a task state (from a webhook, a poll or the reconciler). Returns true when this call
     * moved the task to its terminal state, false when it was already terminal (a duplicate) or the
     * state is not terminal. Final URLs are stored only with a terminal success, in the same update
     * that makes the task {@code finished}: a reader never sees a finished task without its files.
     */
    public boolean apply(Task task) {
        long now = clock.millis();
        if (!task.terminal()) {
            update("UPDATE pictor_ledger_tasks SET status = ?, updated_at = ? WHERE task_id = ? AND status NOT IN "
                    + "('finished', 'failed', '" + STORING + "')", task.status(), now, task.taskId());
            return false;
        }
        // Of concurrent duplicates exactly one wins the conditional update: one visible result.
        if (!task.finished()) {
            return update("UPDATE pictor_ledger_tasks SET status = ?, error_code = ?, updated_at = ? WHERE task_id = ? AND "
                    + CLAIMABLE, task.status(), task.errorCode(), now, task.taskId(), now - STORING_LEASE_MS) == 1;
        }
        List<String> urls = new ArrayList<>();
        task.files().forEach(f -> urls.add(f.fileUrl()));
        if (sink == null) {
            return update("UPDATE pictor_ledger_tasks SET status = 'finished', error_code = NULL, file_urls = ?, updated_at = ?"
                    + " WHERE task_id = ? AND " + CLAIMABLE, String.join("\n", urls), now, task.taskId(), now - STORING_LEASE_MS) == 1;
        }
        // With a FileSink the copy takes time and must happen once: the winner claims the task as
        // 'storing' (not terminal, so readers keep waiting), copies, then writes finished with the copies'
        // references. A copy that fails hands the task back; one whose process died is taken over after the lease.
        if (update("UPDATE pictor_ledger_tasks SET status = '" + STORING + "', updated_at = ? WHERE task_id = ? AND " + CLAIMABLE,
                now, task.taskId(), now - STORING_LEASE_MS) == 0) {
            return false;
        }
        List<String> refs;
        try {
            refs = sink.store(task);
        } catch (Exception e) {
            update("UPDATE pictor_ledger_tasks SET status = 'running', updated_at = ? WHERE task_id = ? AND status = '" + STORING + "'",
                    clock.millis(), task.taskId());
            throw new IllegalStateException("copying the files of " + task.taskId() + " failed", e);
        }
        update("UPDATE pictor_ledger_tasks SET status = 'finished', error_code = NULL, file_urls = ?, updated_at = ?"
                + " WHERE task_id = ? AND status = '" + STORING + "'", String.join("\n", refs), clock.millis(), task.taskId());
        return true;
    }

    /** Runs one UPDATE with String and Long parameters; returns the rows changed. */
    private int update(String statement, Object... params) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < params.length; i++) {
                    if (params[i] instanceof Long l) {
                        ps.setLong(i + 1, l);
                    } else {
                        ps.setString(i + 1, (String) params[i]);
                    }
                }
                return ps.executeUpdate();
            }
        });
    }

    public Optional<Entry> get(String taskId) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM pictor_ledger_tasks WHERE task_id = ?")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs)) : Optional.<Entry>empty();
                }
            }
        });
    }

    /** Tasks not terminal whose last update is older than {@code before}: the reconciler's work. */
    public List<Entry> openSince(Instant before) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM pictor_ledger_tasks WHERE status NOT IN"
                    + " ('finished', 'failed') AND updated_at < ? ORDER BY created_at")) {
                ps.setLong(1, before.toEpochMilli());
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Records a webhook delivery id; false when it was seen before. */
    boolean firstDelivery(String deliveryId, String taskId) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO pictor_ledger_deliveries (delivery_id, task_id, received_at) VALUES (?, ?, ?)")) {
                ps.setString(1, deliveryId);
                ps.setString(2, taskId);
                ps.setLong(3, clock.millis());
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                    return false;
                }
                throw e;
            }
        });
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        String files = rs.getString("file_urls");
        String refs = rs.getString("source_refs");
        return new Entry(rs.getString("task_id"), rs.getString("model"), rs.getString("app_user_id"),
                refs == null || refs.isEmpty() ? List.of() : Arrays.asList(refs.split("\n")), rs.getString("status"),
                files == null || files.isEmpty() ? List.of() : Arrays.asList(files.split("\n")), rs.getString("error_code"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T sql(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            ensureSchema(c);
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("task ledger: " + e.getMessage(), e);
        }
    }

    private void ensureSchema(Connection c) throws SQLException {
        if (schemaReady) {
            return;
        }
        synchronized (this) {
            if (schemaReady) {
                return;
            }
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS pictor_ledger_tasks (task_id VARCHAR(200) PRIMARY KEY,"
                        + " model VARCHAR(200) NOT NULL, app_user_id VARCHAR(200), source_refs TEXT, status VARCHAR(32) NOT NULL,"
                        + " file_urls TEXT, error_code VARCHAR(64), created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS pictor_ledger_deliveries (delivery_id VARCHAR(300) PRIMARY KEY,"
                        + " task_id VARCHAR(200) NOT NULL, received_at BIGINT NOT NULL)");
            }
            schemaReady = true;
        }
    }
}
