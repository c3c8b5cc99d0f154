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

    /** True when the SQLSTATE means "this row already exists" (unique or primary key violation). */
    public boolean isUniqueViolation(java.sql.SQLException e) {
        String state = e.getSQLState();
        return "23505".equals(state) || (this == H2 && e.getErrorCode() == 23505);
    }
}
