package dev.pictor.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.Postgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V13 gives each hot identity column its dialect's cache (Dialect.identityCache): large on
 * H2, where a small one cost an extra stored commit every 32 submits; 1 on PostgreSQL, where a cache
 * is per connection and would put seq values, and so claims, out of submit order.
 */
class IdentityCacheTest {
    private static final List<String> COLUMNS = List.of("task_queue.seq", "webhook_queue.seq", "credit_ledger.id");

    @TempDir
    Path dir;

    @Test
    void h2CachesAThousandValues() {
        try (Database db = Database.open(Database.embeddedUrl(dir), "", "", 2)) {
            for (String column : COLUMNS) {
                String[] tc = column.split("\\.");
                long cache = db.jdbc().queryOne("SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = ? AND COLUMN_NAME = ?",
                        rs -> rs.getLong(1), tc[0].toUpperCase(), tc[1].toUpperCase()).orElseThrow();
                assertThat(cache).as(column).isEqualTo(1000);
            }
        }
    }

    @Test
    void postgresHandsOutOneValueAtATime() {
        try (Database db = Database.open(Postgres.newDatabase(), "postgres", "", 2)) {
            for (String column : COLUMNS) {
                String[] tc = column.split("\\.");
                long cache = db.jdbc().queryOne("SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence(?, ?)::regclass",
                        rs -> rs.getLong(1), tc[0], tc[1]).orElseThrow();
                assertThat(cache).as(column).isEqualTo(1);
            }
        }
    }
}
