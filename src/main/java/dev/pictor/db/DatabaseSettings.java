package dev.pictor.db;

import java.nio.file.Path;

/** Where the database is: a JDBC URL (PostgreSQL for several nodes) or, when blank, the embedded H2 file. */
public record DatabaseSettings(String url, String user, String password, int poolSize) {
    public boolean embedded() {
        return url.isBlank();
    }

    /** The configured URL, or the embedded H2 file under {@code dataDir}. */
    public String jdbcUrl(Path dataDir) {
        return embedded() ? Database.embeddedUrl(dataDir) : url;
    }
}
