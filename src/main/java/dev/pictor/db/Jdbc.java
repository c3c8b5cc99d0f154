package dev.pictor.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A small JDBC helper: statements with positional parameters, row mappers, and transactions. Instants
 * are bound as UTC {@code OffsetDateTime} truncated to microseconds, the precision both H2 and
 * PostgreSQL keep in {@code TIMESTAMP WITH TIME ZONE} columns.
 */
public final class Jdbc implements AutoCloseable {
    private final DataSource dataSource;
    private final Dialect dialect;
    private final GroupCommit groupCommit;

    /** Without group commit: {@link #inGroupTransaction} is {@link #inTransaction}. */
    public Jdbc(DataSource dataSource, Dialect dialect) {
        this(dataSource, dialect, 0);
    }

    /**
     * With {@code groupCommitWriters} threads folding {@link #inGroupTransaction} callers into shared
     * transactions ({@link GroupCommit}); 0 turns grouping off.
     */
    public Jdbc(DataSource dataSource, Dialect dialect, int groupCommitWriters) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.groupCommit = groupCommitWriters <= 0 ? null
                : new GroupCommit(dataSource, dialect, new Jdbc(dataSource, dialect), groupCommitWriters, dialect.groupCommitMaxBatch());
    }

    public Dialect dialect() {
        return dialect;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface TransactionBody<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Runs {@code body} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(TransactionBody<T> body) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            Tx tx = new Tx(c, dialect);
            T result;
            try {
                result = body.run(tx);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            tx.afterCommit.forEach(Runnable::run);
            return result;
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /**
     * As {@link #inTransaction}, but the transaction may be shared with other callers' bodies that
     * arrive at the same time ({@link GroupCommit}); it returns only after the shared commit, so what
     * it returns is as durable as with {@code inTransaction}. A body that throws is rolled back alone
     * and its exception is thrown here. {@code lockKey} orders the bodies of a batch (see
     * {@link GroupCommit} on lock order): give the tenant and key whose rows the body locks. For short
     * write transactions on the hot path (a submit); a body must not call out of the process.
     */
    public <T> T inGroupTransaction(String lockKey, TransactionBody<T> body) {
        return groupCommit == null ? inTransaction(body) : groupCommit.run(lockKey, body);
    }

    /** Batches, units and guarded re-runs group commit has had so far (zeros without it); units over batches is the mean batch size. */
    public long[] groupCommitCounts() {
        return groupCommit == null ? new long[] {0, 0, 0} : groupCommit.counts();
    }

    /** Callers waiting for a group-commit writer (for tests). */
    int groupCommitWaiting() {
        return groupCommit == null ? 0 : groupCommit.waiting();
    }

    /** Stops the group-commit writers once what they hold has committed; later callers commit alone. */
    @Override
    public void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        return inTransaction(tx -> tx.query(sql, mapper, params));
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        return inTransaction(tx -> tx.queryOne(sql, mapper, params));
    }

    public int update(String sql, Object... params) {
        return inTransaction(tx -> tx.update(sql, params));
    }

    /** The statements of one transaction. */
    public static final class Tx {
        private final Connection connection;
        private final Dialect dialect;
        final List<Runnable> afterCommit = new ArrayList<>();

        Tx(Connection connection, Dialect dialect) {
            this.connection = connection;
            this.dialect = dialect;
        }

        /**
         * Tells the other nodes that work was queued, when this transaction commits (PostgreSQL
         * {@code NOTIFY}; on H2, one process, the local wake-up is enough and this does nothing).
         */
        public void notifyPeers() throws SQLException {
            if (dialect.supportsNotify()) {
                update("NOTIFY " + PeerWakeups.CHANNEL);
            }
        }

        /**
         * Tells the other nodes, when this transaction commits, that an API key changed (revoked or
         * its limits edited), so they drop it from their key-check cache at once (PostgreSQL
         * {@code NOTIFY}; on H2, one process, the local cache drop is enough and this does nothing).
         */
        public void notifyKeyChange() throws SQLException {
            if (dialect.supportsNotify()) {
                update("NOTIFY " + PeerWakeups.KEYS_CHANNEL);
            }
        }

        public Dialect dialect() {
            return dialect;
        }

        /** Runs {@code action} once this transaction has committed (never when it rolls back). */
        public void afterCommit(Runnable action) {
            afterCommit.add(action);
        }

        public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(mapper.map(rs));
                    }
                    return rows;
                }
            }
        }

        public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
            List<T> rows = query(sql, mapper, params);
            return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
        }

        public int update(String sql, Object... params) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind(ps, params);
                return ps.executeUpdate();
            }
        }

        /**
         * Runs one statement for each parameter row as a JDBC batch (one round trip where the driver
         * allows) and returns each row's update count, in order.
         */
        public int[] updateBatch(String sql, List<Object[]> rows) throws SQLException {
            if (rows.isEmpty()) {
                return new int[0];
            }
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (Object[] row : rows) {
                    bind(ps, row);
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        }

        public Connection connection() {
            return connection;
        }
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant instant) {
                // Both databases keep microseconds and round the rest; truncating first makes a stored
                // time equal to the instant it came from, so "due_at <= now" holds for a row due now.
                ps.setObject(i + 1, instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    /** Reads a TIMESTAMP WITH TIME ZONE column as an Instant (null stays null). */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Object value = rs.getObject(column);
        return switch (value) {
            case null -> null;
            case OffsetDateTime odt -> odt.toInstant();
            case Timestamp ts -> ts.toInstant();
            default -> rs.getObject(column, OffsetDateTime.class).toInstant();
        };
    }

    /** As {@link #instant(ResultSet, String)}, by column position (cheaper on H2, which looks names up per call). */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        Object value = rs.getObject(column);
        return switch (value) {
            case null -> null;
            case OffsetDateTime odt -> odt.toInstant();
            case Timestamp ts -> ts.toInstant();
            default -> rs.getObject(column, OffsetDateTime.class).toInstant();
        };
    }

    /** Builds "?, ?, ?" for an IN list of {@code n} parameters. */
    public static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
