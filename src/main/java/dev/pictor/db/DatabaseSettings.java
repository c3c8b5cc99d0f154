package dev.pictor.db;

import java.nio.file.Path;

/**
 * Where the database is: a JDBC URL (PostgreSQL for several nodes) or, when blank, the embedded H2
 * file. {@code groupCommitWriters} threads fold concurrent submits into shared transactions
 * ({@link GroupCommit}); 0 commits each alone.
 */
public record DatabaseSettings(String url, String user, String password, int poolSize, int groupCommitWriters) {
    public DatabaseSettings {
        // Flyway holds one connection for its lock while it migrates on another: with one, a node
        // waited 10 s at start and failed with a pool timeout that did not say why.
        if (poolSize < 2) {
            throw new IllegalArgumentException("PICTOR_DB_POOL_SIZE must be at least 2 (it is " + poolSize
                    + "): schema migration at start needs two connections at once");
        }
        if (groupCommitWriters < 0 || groupCommitWriters >= poolSize) {
            throw new IllegalArgumentException("PICTOR_DB_GROUP_COMMIT_WRITERS must be from 0 to PICTOR_DB_POOL_SIZE - 1 (" + (poolSize - 1)
                    + "): each writer holds a connection while it commits");
        }
    }

    public boolean embedded() {
        return url.isBlank();
    }

    /** The configured URL, or the embedded H2 file under {@code dataDir}. */
    public String jdbcUrl(Path dataDir) {
        return embedded() ? Database.embeddedUrl(dataDir) : url;
    }
}
