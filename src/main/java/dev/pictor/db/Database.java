package dev.pictor.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and schema. H2 in a file under the data directory unless a JDBC URL is
 * configured; the same Flyway migrations run on both.
 */
public final class Database implements AutoCloseable {
    /**
     * Two rounds a second of at most 2 MB each: measured under the proxy load (1,300-2,300 tasks/s)
     * this held the file at about 3.1 GB where it had grown linearly past 9 GB, at the same
     * throughput; a round that finds nothing to rewrite costs microseconds.
     */
    private static final Duration H2_HOUSEKEEPING_INTERVAL = Duration.ofMillis(500);
    private static final int H2_HOUSEKEEPING_WRITE_LIMIT_BYTES = 2 * 1024 * 1024;

    private final HikariDataSource dataSource;
    private final Jdbc jdbc;
    /** On H2 only: what H2's background writer would do without WRITE_DELAY=0 ({@link H2Housekeeping}). */
    private final H2Housekeeping housekeeping;

    private Database(HikariDataSource dataSource, Dialect dialect, int groupCommitWriters) {
        this.dataSource = dataSource;
        this.jdbc = new Jdbc(dataSource, dialect, groupCommitWriters);
        this.housekeeping = dialect == Dialect.H2
                ? new H2Housekeeping(dataSource, H2_HOUSEKEEPING_INTERVAL, H2_HOUSEKEEPING_WRITE_LIMIT_BYTES)
                : null;
        if (housekeeping != null) {
            housekeeping.start();
        }
    }

    /** With one group-commit writer, the default ({@link DatabaseSettings#groupCommitWriters}). */
    public static Database open(String url, String user, String password, int poolSize) {
        return open(url, user, password, poolSize, 1);
    }

    public static Database open(String url, String user, String password, int poolSize, int groupCommitWriters) {
        Dialect dialect = Dialect.of(url);
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        if (!user.isBlank()) {
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("pictor-db");
        config.setConnectionTimeout(10_000);
        var dataSource = new HikariDataSource(config);
        try {
            // Placeholders carry the dialect's few values into the one set of migrations.
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                    .placeholders(Map.of("identity_cache", String.valueOf(dialect.identityCache())))
                    .load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialect, groupCommitWriters);
    }

    /**
     * WRITE_DELAY=0 makes H2 write every commit to the file before the commit returns, so a task
     * acknowledged to a client survives a kill -9 of the process. The {@code retry:} file system
     * reopens the file when a thread is interrupted mid-write; with the plain one, H2 answers such an
     * interrupt (a cancelled task, a shutdown) by closing the whole database. QUERY_CACHE_SIZE: H2
     * keeps the parsed plans of each connection's last 8 statements by default; one submit and one
     * terminal write on the group-commit writer run more than 8 distinct ones, so with the default
     * every statement was parsed again (about a tenth of the writer's CPU on the proxy path).
     */
    public static String embeddedUrl(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create data directory " + dataDir, e);
        }
        Path file = dataDir.toAbsolutePath().normalize().resolve("pictor");
        return "jdbc:h2:retry:" + file + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=64;DB_CLOSE_ON_EXIT=FALSE";
    }

    public Jdbc jdbc() {
        return jdbc;
    }

    public Dialect dialect() {
        return jdbc.dialect();
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /** True when a connection can be had and answers a trivial query within two seconds. */
    public boolean isReachable() {
        try (var c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        jdbc.close();
        if (housekeeping != null) {
            try {
                housekeeping.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dataSource.close();
    }
}
