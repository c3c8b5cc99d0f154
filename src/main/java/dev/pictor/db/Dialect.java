package dev.pictor.db;

/**
 * The few places where H2 and PostgreSQL differ. Everything else (the queue claim included) is one
 * SQL text for both; keep it that way and put any new difference here.
 */
public enum Dialect {
    H2,
    POSTGRESQL;

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:h2: or jdbc:postgresql:)");
    }

    /** PostgreSQL can wake other nodes with NOTIFY; H2 runs in one process, where a local signal is enough. */
    public boolean supportsNotify() {
        return this == POSTGRESQL;
    }

    /**
     * The most units {@link GroupCommit} folds into one transaction. A batch rerun after a failed
     * unit runs each unit in a savepoint, and PostgreSQL keeps up to 64 subtransactions per backend
     * in shared memory before it spills them (slowing every snapshot on the server); H2 has no such
     * limit.
     */
    int groupCommitMaxBatch() {
        return this == POSTGRESQL ? 48 : 64;
    }

    /**
     * How many values an identity column (the queues' {@code seq}, the ledger's {@code id}) hands out
     * before it writes its position down (migration V13, placeholder {@code identity_cache}). H2
     * writes it with a commit of its own, and with WRITE_DELAY=0 every commit stores a chunk: at
     * H2's default of 32 that was one extra store every 32 submits, 15 % of a submitting node's CPU
     * (JFR CPU-time samples, H2 submit at 64 connections). H2's cache is one per database, so values
     * still come in submit order; a crash skips at most the unused rest. PostgreSQL keeps its default
     * of 1: its cache is per connection, so a larger one would hand out seq values out of submit
     * order, and claims follow seq order.
     */
    int identityCache() {
        return this == H2 ? 1000 : 1;
    }

    /**
     * Whether {@code SELECT ... ORDER BY <an index's columns> LIMIT n FOR UPDATE SKIP LOCKED} reads the
     * index in order and stops at the limit. PostgreSQL's does. H2 reads a secondary index in order
     * only without FOR UPDATE; with it, H2 locks and sorts every matching row first (306 ms for one
     * claim of 64 over 100,000 due rows, against 0.2 ms without the lock), so on H2 the queue claim
     * picks its rows unlocked and then locks those still due.
     */
    public boolean locksRowsInIndexOrder() {
        return this == POSTGRESQL;
    }

    /**
     * Whether {@link #insertThenInsert} is available: one statement for a row, the rows that go with
     * it, a scalar query and (optionally) the peers' wake-up, with PostgreSQL's data-modifying CTEs. H2
     * has none, and needs none: it is embedded, so a statement costs no round trip.
     */
    public boolean insertsQueuedInOneStatement() {
        return this == POSTGRESQL;
    }

    /**
     * One PostgreSQL statement, run as a query, that runs {@code insertReturning} (an INSERT ...
     * RETURNING), then {@code dependentInsert} (an INSERT ... SELECT ... FROM new_row, reading the first
     * insert's returned columns), then {@code companionInsert} (an INSERT ... VALUES; may be null) and
     * answers one row whose second column is {@code scalarQuery} (one column of at most one row; may be
     * null, then the column is NULL); with {@code notifyPeers}, it wakes the peers on
     * {@link PeerWakeups#CHANNEL} ({@code pg_notify}, delivered at commit like NOTIFY). Parameters come
     * in that order. Every part sees the database as it was before the statement, so the scalar query
     * must not read what the inserts write.
     */
    public String insertThenInsert(String insertReturning, String dependentInsert, String companionInsert, String scalarQuery,
                                   boolean notifyPeers) {
        if (!insertsQueuedInOneStatement()) {
            throw new UnsupportedOperationException(this + " has no data-modifying CTEs");
        }
        // A data-modifying CTE runs to completion whether or not the query reads it.
        return "WITH new_row AS (" + insertReturning + "), queued AS (" + dependentInsert + " RETURNING 1)"
                + (companionInsert == null ? "" : ", companion AS (" + companionInsert + ")")
                + " SELECT " + (notifyPeers ? "pg_notify('" + PeerWakeups.CHANNEL + "', '')" : "1")
                + ", " + (scalarQuery == null ? "NULL" : "(" + scalarQuery + ")") + " FROM queued";
    }

    /**
     * One query that runs {@code update} (an UPDATE) and answers {@code columns} of each row it
     * changed, as they are after it: PostgreSQL's {@code UPDATE ... RETURNING}, H2's
     * {@code SELECT ... FROM FINAL TABLE (UPDATE ...)}. No rows: nothing matched.
     */
    public String updateReturning(String update, String columns) {
        return this == POSTGRESQL ? update + " RETURNING " + columns : "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
    }

    /**
     * Adds to a key's window counter (table {@code api_key_window}) in one statement, only while the
     * sum stays within a limit: a row of an older window is moved to the given window and restarted
     * at the amount; a row of this (or a newer) window grows only if {@code used + amount <= limit}.
     * Parameters: key_id, kind, window_start, amount, limit. One row changed means counted, none
     * means the limit is reached. PostgreSQL's upsert is atomic against concurrent inserts; H2's
     * MERGE may lose an insert race with a duplicate-key error, which {@link WindowCounters} retries.
     */
    public String windowCounterAdd() {
        return switch (this) {
            case POSTGRESQL -> """
                    INSERT INTO api_key_window AS w (key_id, kind, window_start, used) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key_id, kind) DO UPDATE SET
                        used = CASE WHEN w.window_start < EXCLUDED.window_start THEN EXCLUDED.used ELSE w.used + EXCLUDED.used END,
                        window_start = GREATEST(w.window_start, EXCLUDED.window_start)
                    WHERE w.window_start < EXCLUDED.window_start OR w.used + EXCLUDED.used <= ?""";
            case H2 -> """
                    MERGE INTO api_key_window w
                    USING (VALUES (CAST(? AS VARCHAR(40)), CAST(? AS VARCHAR(16)), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS BIGINT)))
                        AS s (key_id, kind, window_start, used)
                    ON w.key_id = s.key_id AND w.kind = s.kind
                    WHEN MATCHED AND (w.window_start < s.window_start OR w.used + s.used <= ?) THEN UPDATE SET
                        used = CASE WHEN w.window_start < s.window_start THEN s.used ELSE w.used + s.used END,
                        window_start = GREATEST(w.window_start, s.window_start)
                    WHEN NOT MATCHED THEN INSERT (key_id, kind, window_start, used) VALUES (s.key_id, s.kind, s.window_start, s.used)""";
        };
    }

    /** True when a statement lost a race with a concurrent insert of the same key (H2 reports two ways). */
    boolean isInsertRace(java.sql.SQLException e) {
        return isUniqueViolation(e) || (this == H2 && (e.getErrorCode() == 90131 || "90131".equals(e.getSQLState())));
    }

    /** True when the SQLSTATE means "this row already exists" (unique or primary key violation). */
    public boolean isUniqueViolation(java.sql.SQLException e) {
        String state = e.getSQLState();
        return "23505".equals(state) || (this == H2 && e.getErrorCode() == 23505);
    }
}
