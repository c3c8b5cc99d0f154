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
     * Whether {@link #insertThenInsert} is available: one statement for a row, a second row that
     * follows from it and (optionally) the peers' wake-up, with PostgreSQL's data-modifying CTEs. H2
     * has none, and needs none: it is embedded, so a statement costs no round trip.
     */
    public boolean insertsQueuedInOneStatement() {
        return this == POSTGRESQL;
    }

    /**
     * One PostgreSQL statement, run as a query, that runs {@code insertReturning} (an INSERT ...
     * RETURNING), then {@code dependentInsert} (an INSERT ... SELECT ... FROM new_row, reading the first
     * insert's returned columns) and, with {@code notifyPeers}, wakes the peers on
     * {@link PeerWakeups#CHANNEL} ({@code pg_notify}, delivered at commit like NOTIFY).
     */
    public String insertThenInsert(String insertReturning, String dependentInsert, boolean notifyPeers) {
        if (!insertsQueuedInOneStatement()) {
            throw new UnsupportedOperationException(this + " has no data-modifying CTEs");
        }
        return "WITH new_row AS (" + insertReturning + "), queued AS (" + dependentInsert + " RETURNING 1) "
                + (notifyPeers ? "SELECT pg_notify('" + PeerWakeups.CHANNEL + "', '') FROM queued" : "SELECT 1 FROM queued");
    }

    /** True when the SQLSTATE means "this row already exists" (unique or primary key violation). */
    public boolean isUniqueViolation(java.sql.SQLException e) {
        String state = e.getSQLState();
        return "23505".equals(state) || (this == H2 && e.getErrorCode() == 23505);
    }
}
